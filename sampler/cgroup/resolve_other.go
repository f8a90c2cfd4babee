//go:build !linux

package cgroup

import "errors"

// Resolver maps cgroup ids to paths; cgroups are Linux only.
type Resolver struct{}

var errUnsupported = errors.New("cgroups are Linux only")

// NewResolver fails outside Linux.
func NewResolver() (*Resolver, error) { return nil, errUnsupported }

// NewResolverAt fails outside Linux.
func NewResolverAt(string) (*Resolver, error) { return nil, errUnsupported }

// Root is "".
func (r *Resolver) Root() string { return "" }

// Close does nothing.
func (r *Resolver) Close() error { return nil }

// Path finds nothing.
func (r *Resolver) Path(uint64) (string, bool) { return "", false }
