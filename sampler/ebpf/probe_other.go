//go:build !linux

package ebpf

import (
	"context"
	"errors"

	"github.com/porttop/porttop/sampler"
)

// Probe is the kernel side; it exists only on Linux.
type Probe struct{}

// Counts are the kernel programs' own counters.
type Counts struct {
	Dropped       uint64
	ConnectFailed uint64
	BindFailed    uint64
}

var errNotLinux = &UnavailableError{Why: "eBPF needs Linux", Err: errors.ErrUnsupported}

// Open fails everywhere but Linux.
func Open() (*Probe, error) { return nil, errNotLinux }

// SetHeadlessRing does nothing but on Linux.
func SetHeadlessRing(bool) {}

func (p *Probe) Notes() []string                                     { return nil }
func (p *Probe) RingBuffer() bool                                    { return false }
func (p *Probe) Counts() (Counts, error)                             { return Counts{}, errNotLinux }
func (p *Probe) Lost() uint64                                        { return 0 }
func (p *Probe) Read(ctx context.Context, fn func(raw []byte)) error { return errNotLinux }
func (p *Probe) WatchTransitions(ctx context.Context, out chan<- sampler.Transition, failed chan<- sampler.PortFailure) error {
	return errNotLinux
}
func (p *Probe) Close() error { return nil }
