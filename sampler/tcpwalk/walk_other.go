//go:build !linux

package tcpwalk

import "errors"

// Walker walks the kernel's TCP established hash: Linux only.
type Walker struct{}

// Open fails: the walk is a Linux BPF program.
func Open() (*Walker, error) { return nil, errors.New("the TCP walk needs Linux") }

// Walk visits nothing.
func (*Walker) Walk([]uint64, func(*Row)) error { return errors.New("the TCP walk needs Linux") }

// Close does nothing.
func (*Walker) Close() error { return nil }

func configHZ() uint64 { return 0 }
