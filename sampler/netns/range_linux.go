//go:build linux

package netns

import (
	"os"

	"github.com/porttop/porttop/sampler/ports"
)

// rangePath is the sysctl of the ephemeral port range. /proc/sys/net shows
// the namespace of the thread that opens it, and a file opened inside a
// namespace keeps reading that namespace's value from any thread.
const rangePath = "/proc/sys/net/ipv4/ip_local_port_range"

// RangeFile is an open ip_local_port_range of one namespace.
type RangeFile struct{ f *os.File }

// OpenRange opens namespace n's ip_local_port_range (from inside it).
func OpenRange(n NS) (*RangeFile, error) {
	var f *os.File
	err := Do(n, func() (err error) {
		f, err = os.Open(rangePath)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &RangeFile{f}, nil
}

// Read reads the range as it is now.
func (r *RangeFile) Read() (ports.Range, error) {
	var b [64]byte
	n, err := r.f.ReadAt(b[:], 0)
	if n == 0 && err != nil {
		return ports.Range{}, err
	}
	return ports.ParseLinuxRange(string(b[:n]))
}

// Close closes the file.
func (r *RangeFile) Close() error { return r.f.Close() }
