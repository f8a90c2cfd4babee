//go:build !linux

package ebpf

import "github.com/porttop/porttop/sampler"

// Source is the ebpf source; it exists only on Linux.
type Source struct{ sampler.Source }

// NewSource fails everywhere but Linux.
func NewSource(inner sampler.Source) (*Source, error) { return nil, errNotLinux }

// Close does nothing.
func (s *Source) Close() error { return nil }
