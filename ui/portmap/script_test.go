package portmap

import (
	"io"
	"net/netip"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

var (
	linuxEphemeral = ports.Range{Lo: 32768, Hi: 60999}
	scriptNow      = time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)
)

// plainStyles are the styles of a terminal without colour, as goldens use.
func plainStyles() Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return NewStyles(style.New(r, theme.Default))
}

func sock(proto sampler.Proto, local, remote string, state sampler.State) sampler.Socket {
	return sampler.Socket{
		ID: sampler.ID{
			Proto:  proto,
			Local:  netip.MustParseAddrPort(local),
			Remote: netip.MustParseAddrPort(remote),
		},
		State: state,
		Owner: sampler.Owner{UID: -1},
	}
}

func opened(s sampler.Socket, at time.Time, existing bool) sampler.Event {
	return sampler.Event{Kind: sampler.Opened, Time: at, Socket: s, Existing: existing}
}

// scripted is a busy machine: a few well-known listeners, a database client
// holding a burst of ephemeral ports, some high ports, and hand-outs of
// which some are recent enough to flash.
func scripted() (sampler.Snapshot, []sampler.Event) {
	var snap sampler.Snapshot
	snap.Time = scriptNow
	for _, p := range []string{"22", "80", "443", "5432", "8080"} {
		snap.Sockets = append(snap.Sockets, sock(sampler.TCP, "0.0.0.0:"+p, "0.0.0.0:0", sampler.StateListen))
	}
	snap.Sockets = append(snap.Sockets, sock(sampler.UDP, "0.0.0.0:53", "0.0.0.0:0", sampler.StateNone))
	// The burst: 3,000 consecutive ephemeral ports to one database.
	for p := 32768; p < 32768+3000; p++ {
		snap.Sockets = append(snap.Sockets, sock(sampler.TCP, "10.0.0.2:"+itoa(p), "10.0.0.5:5432", sampler.StateEstablished))
	}
	// A sprinkle across the rest of the range, every 97th port.
	for p := 36000; p < 60999; p += 97 {
		snap.Sockets = append(snap.Sockets, sock(sampler.TCP, "10.0.0.2:"+itoa(p), "10.0.0.9:443", sampler.StateTimeWait))
	}
	var events []sampler.Event
	events = append(events, opened(snap.Sockets[0], scriptNow.Add(-time.Minute), true)) // existing: no flash
	for p := 35700; p < 35710; p++ {                                                    // fresh hand-outs: flash
		events = append(events, opened(sock(sampler.TCP, "10.0.0.2:"+itoa(p), "10.0.0.5:5432", sampler.StateEstablished), scriptNow.Add(-500*time.Millisecond), false))
	}
	// Too old to flash.
	events = append(events, opened(sock(sampler.TCP, "10.0.0.2:50000", "10.0.0.9:443", sampler.StateEstablished), scriptNow.Add(-3*time.Second), false))
	return snap, events
}

func itoa(n int) string {
	return netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(n)).String()[len("0.0.0.0:"):]
}
