// Package sources picks the connection-table source porttop samples: the
// Linux netlink sock_diag source where it works, gopsutil everywhere else.
package sources

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/porttop/porttop/sampler"
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

// Names lists the accepted source names, "auto" first.
func Names() []string { return []string{"auto", "netlink", "netns", "gopsutil"} }

// Open returns the named source. "" or "auto" is netlink on Linux and
// gopsutil elsewhere; on Linux, when netlink is unavailable, it falls back to
// gopsutil and says why in notes (for the header). "netlink" and "gopsutil"
// force one: "netlink" fails where it is unavailable. "netns" is netlink in
// every network namespace porttop may enter (sampler/netns; Linux): sockets
// then carry their namespace and cgroup, but releases between two samples
// are heard of in no namespace (see sampler/netns/README.md).
func Open(name string) (src sampler.Source, notes []string, err error) {
	switch strings.ToLower(name) {
	case "", "auto":
		if runtime.GOOS != "linux" {
			return psutil.New(), nil, nil
		}
		s, err := openNetlink()
		if err != nil {
			return psutil.New(), []string{fmt.Sprintf("netlink unavailable (%v): using gopsutil, slower and blind to short connections", err)}, nil
		}
		return s, nil, nil
	case "netlink":
		s, err := openNetlink()
		if err != nil {
			return nil, nil, fmt.Errorf("source netlink: %w", err)
		}
		return s, nil, nil
	case "netns":
		s, err := netns.New()
		if err != nil {
			return nil, nil, fmt.Errorf("source netns: %w", err)
		}
		if note := s.Note(); note != "" {
			notes = append(notes, note)
		}
		return s, notes, nil
	case "gopsutil":
		return psutil.New(), nil, nil
	}
	return nil, nil, fmt.Errorf("unknown source %q: choose one of %s", name, strings.Join(Names(), ", "))
}
