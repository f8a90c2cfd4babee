//go:build !linux

package netns

import (
	"context"
	"errors"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// ErrUnsupported: network namespaces are Linux only.
var ErrUnsupported = errors.New("network namespaces are Linux only")

// Discover fails outside Linux.
func Discover() ([]NS, error) { return nil, ErrUnsupported }

// Do fails outside Linux.
func Do(NS, func() error) error { return ErrUnsupported }

// Source is the multi-namespace source; New fails outside Linux.
type Source struct{}

// Info is one namespace as the last Sample saw it.
type Info struct {
	NS
	Range   ports.Range
	Sockets int
	Err     string
}

// New fails outside Linux.
func New() (*Source, error) { return nil, ErrUnsupported }

// Name is "netlink+netns".
func (s *Source) Name() string { return "netlink+netns" }

// Sample fails outside Linux.
func (s *Source) Sample(context.Context) (sampler.Snapshot, error) {
	return sampler.Snapshot{}, ErrUnsupported
}

// Close does nothing.
func (s *Source) Close() error { return nil }

// Namespaces is empty.
func (s *Source) Namespaces() []Info { return nil }

// Note is "".
func (s *Source) Note() string { return "" }

// Permitted is false outside Linux.
func Permitted() bool { return false }
