//go:build !linux

package procowner

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// Resolver attributes nothing off Linux, which has no /proc/PID/fd.
type Resolver struct{}

// New gives a Resolver that attributes nothing.
func New(procfs string) *Resolver { return &Resolver{} }

// Attribute leaves socks as they are; owners are never reported hidden.
func (*Resolver) Attribute(socks []sampler.Socket, now time.Time) (hidden bool) { return false }

// AttributePart leaves socks as they are; owners are never reported hidden.
func (*Resolver) AttributePart(socks []sampler.Socket, now time.Time) (hidden bool) { return false }

// OwnersDue is false: no owner is ever named.
func (*Resolver) OwnersDue(now time.Time) bool { return false }

// Walk finds nothing.
func (*Resolver) Walk() int { return 0 }

// Close does nothing.
func (*Resolver) Close() {}

// SetKnown does nothing: nothing is walked for.
func (*Resolver) SetKnown(known func(socks []sampler.Socket)) {}
