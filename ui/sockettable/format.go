package sockettable

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// FormatAge writes a duration the way the table and feed do: short, whole
// units, two at most ("12s", "3m04s", "2h05m", "3d04h").
func FormatAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// FormatAddr writes an endpoint as ss does: "*" for no peer, "*:53" for
// a wildcard address, "[::1]:443" for IPv6.
func FormatAddr(ap netip.AddrPort) string {
	if !ap.IsValid() || (ap.Addr().IsUnspecified() && ap.Port() == 0) {
		return "*"
	}
	if ap.Addr().IsUnspecified() {
		return "*:" + strconv.Itoa(int(ap.Port()))
	}
	return ap.String()
}

// Service names the IANA service a socket involves: the first of its local
// and remote ports that has an IANA name and was not handed out by the OS.
// A port inside the OS ephemeral range (Linux's starts at 32768, well inside
// the registered range) on a connection was picked by the kernel, so its
// IANA name would be a coincidence, not the service: a connection between
// two such ports names nothing. A listener's own port was chosen, so it is
// named wherever it lies.
func Service(s *sampler.Socket, ephemeral ports.Range) string {
	proto := s.Proto.String()
	lp, rp := s.Local.Port(), s.Remote.Port()
	if s.State == sampler.StateListen || rp == 0 {
		return ports.ServiceName(lp, proto)
	}
	for _, p := range [2]uint16{lp, rp} {
		if inEphemeral(ephemeral, p) {
			continue
		}
		if n := ports.ServiceName(p, proto); n != "" {
			return n
		}
	}
	return ""
}

// cell pads or truncates plain text to exactly w cells.
func cell(s string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	pad := w - ansi.StringWidth(s)
	if pad <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", pad) + s
	}
	return s + strings.Repeat(" ", pad)
}
