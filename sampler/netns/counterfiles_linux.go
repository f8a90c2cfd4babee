//go:build linux

package netns

import (
	"errors"
	"io"
	"os"
)

// counterNames are the kernel counter files a namespace's Source reads
// (sockdiag.Options.ReadCounters names them so).
var counterNames = [...]string{"net/snmp", "net/sockstat", "net/sockstat6"}

// CounterFiles are one namespace's kernel counter files (net/snmp,
// net/sockstat, net/sockstat6), opened once from inside it: a /proc/net
// file keeps the namespace it was opened in, so reading it again later
// (pread at offset 0, from any thread) needs no setns, no path lookup and
// no process living in the namespace.
type CounterFiles struct {
	f [len(counterNames)]*os.File // nil: missing (sockstat6 without IPv6)
}

// OpenCounterFiles opens namespace n's counter files: from inside n
// through /proc/thread-self (the thread entering n is the one opening),
// or for porttop's own namespace through /proc/self with no setns (and so
// no privilege).
func OpenCounterFiles(n NS) (*CounterFiles, error) {
	c := &CounterFiles{}
	open := func(dir string) error {
		for i, name := range counterNames {
			f, err := os.Open(dir + "/" + name)
			if err != nil {
				if i == 2 && errors.Is(err, os.ErrNotExist) {
					continue
				}
				c.Close()
				return err
			}
			c.f[i] = f
		}
		return nil
	}
	var err error
	if n.Self {
		err = open(ProcDir + "/self")
	} else {
		err = Do(n, func() error { return open(ProcDir + "/thread-self") })
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Read reads the counter file name ("net/snmp", "net/sockstat" or
// "net/sockstat6") afresh into buf, grown as needed.
func (c *CounterFiles) Read(name string, buf []byte) ([]byte, error) {
	var f *os.File
	for i, n := range counterNames {
		if n == name {
			f = c.f[i]
		}
	}
	if f == nil {
		return buf, os.ErrNotExist
	}
	if cap(buf) < 4096 {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.ReadAt(buf[len(buf):cap(buf)], int64(len(buf)))
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) || (err == nil && n == 0) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// Close closes the files.
func (c *CounterFiles) Close() {
	for i, f := range c.f {
		if f != nil {
			f.Close()
			c.f[i] = nil
		}
	}
}
