// Package sources picks the connection-table source porttop samples: on
// Linux the ebpf source where it is permitted (netlink's table with the
// kernel's events), else netlink sock_diag; gopsutil everywhere else.
package sources

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ebpf"
	"github.com/porttop/porttop/sampler/netns"
	"github.com/porttop/porttop/sampler/psutil"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// openNetlink opens the netlink source; tests replace it to act out a kernel
// without sock_diag.
var openNetlink = func() (sampler.Source, error) {
	s, err := sockdiag.New()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openEBPF loads the kernel programs over a netlink source; tests replace
// it to act out a kernel that refuses them.
var openEBPF = func(inner sampler.Source) (sampler.Source, error) {
	s, err := ebpf.NewSource(inner)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// netnsPermitted reports whether every network namespace may be read;
// openNetns opens them. Tests replace both.
var (
	netnsPermitted = netns.Permitted
	openNetns      = func() (sampler.Source, []string, error) {
		s, err := netns.New()
		if err != nil {
			return nil, nil, err
		}
		var notes []string
		if note := s.Note(); note != "" {
			notes = append(notes, note)
		}
		return s, notes, nil
	}
)

// openTable opens the table "auto" samples: every network namespace where
// that is permitted (in porttop's own it loses nothing against netlink:
// the same sockets, owners, releases, counters and notes, tested in
// sampler/netns), else netlink in porttop's own namespace.
func openTable() (sampler.Source, []string, error) {
	if netnsPermitted() {
		if s, notes, err := openNetns(); err == nil {
			return s, notes, nil
		}
	}
	s, err := openNetlink()
	return s, nil, err
}

// permitted reports whether the ebpf source may load; tests replace it.
var permitted = ebpf.Permitted

// Names lists the accepted source names, "auto" first.
func Names() []string { return []string{"auto", "netlink", "ebpf", "netns", "gopsutil"} }

// Open returns the named source. "" or "auto" is, on Linux, ebpf where it
// is permitted and loads, else netlink (with a note saying why not ebpf),
// else gopsutil (with a note saying why not netlink); gopsutil elsewhere.
// Where every network namespace may be read (root, or CAP_SYS_ADMIN and
// CAP_NET_ADMIN), "auto"'s netlink is "netns", under ebpf too.
// "netlink", "ebpf" and "gopsutil" force one: "netlink" and "ebpf" fail
// where they are unavailable, ebpf's error an *ebpf.UnavailableError.
// "netns" is netlink in every network namespace porttop may enter
// (sampler/netns; Linux): sockets then carry their namespace and cgroup,
// and each namespace's releases are heard of as they happen.
func Open(name string) (src sampler.Source, notes []string, err error) {
	return open(name, true)
}

// OpenSnapshot is Open for a single sample or a second, narrowed view of
// the table: "auto" does not load the ebpf source (whose events need a
// running stream to be of use) and takes netlink without a note.
func OpenSnapshot(name string) (src sampler.Source, notes []string, err error) {
	return open(name, false)
}

func open(name string, events bool) (src sampler.Source, notes []string, err error) {
	switch strings.ToLower(name) {
	case "", "auto":
		if runtime.GOOS != "linux" {
			return psutil.New(), nil, nil
		}
		s, notes, err := openTable()
		if err != nil {
			return psutil.New(), []string{fmt.Sprintf("netlink unavailable (%v): using gopsutil, slower and blind to short connections", err)}, nil
		}
		if !events {
			return s, notes, nil
		}
		if !permitted() {
			return s, append(notes, "using netlink: the ebpf source (every connection's process, failed connects) needs root, or CAP_BPF and CAP_PERFMON"), nil
		}
		e, err := openEBPF(s)
		if err != nil {
			return s, append(notes, fmt.Sprintf("%v: using netlink", err)), nil
		}
		return e, notes, nil
	case "ebpf":
		s, err := openNetlink()
		if err != nil {
			return nil, nil, fmt.Errorf("source ebpf needs netlink sock_diag: %w", err)
		}
		e, err := openEBPF(s)
		if err != nil {
			if c, ok := s.(interface{ Close() error }); ok {
				c.Close()
			}
			return nil, nil, fmt.Errorf("source ebpf: %w", err)
		}
		return e, nil, nil
	case "netlink":
		s, err := openNetlink()
		if err != nil {
			return nil, nil, fmt.Errorf("source netlink: %w", err)
		}
		return s, nil, nil
	case "netns":
		s, notes, err := openNetns()
		if err != nil {
			return nil, nil, fmt.Errorf("source netns: %w", err)
		}
		return s, notes, nil
	case "gopsutil":
		return psutil.New(), nil, nil
	}
	return nil, nil, fmt.Errorf("unknown source %q: choose one of %s", name, strings.Join(Names(), ", "))
}
