package eventfeed

import (
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func styles() style.Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return style.New(r, theme.Default)
}

func conn(local, remote, proc string, state sampler.State) sampler.Socket {
	s := sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort(local)}, Owner: sampler.Owner{Process: proc}, State: state}
	if remote != "" {
		s.Remote = netip.MustParseAddrPort(remote)
	}
	return s
}

func TestDescribe(t *testing.T) {
	curl := conn("10.0.0.5:54112", "93.184.216.34:443", "curl", sampler.StateEstablished)
	tests := []struct {
		e     sampler.Event
		glyph string
		text  string
	}{
		{sampler.Event{Kind: sampler.Opened, Socket: curl}, "+", "54112/tcp curl -> 93.184.216.34:443"},
		{sampler.Event{Kind: sampler.Opened, Socket: conn("0.0.0.0:8080", "", "", sampler.StateListen)}, "+", "8080/tcp LISTEN"},
		{sampler.Event{Kind: sampler.Closed, Socket: curl, Held: 1200 * time.Millisecond}, "-", "54112/tcp curl held 1.2s"},
		{sampler.Event{Kind: sampler.Closed, Socket: curl, Held: 3 * time.Millisecond, SeenAtEnd: true}, "-", "54112/tcp curl held 0.0s (between samples)"},
		{sampler.Event{Kind: sampler.StateChanged, Socket: conn("10.0.0.5:54112", "93.184.216.34:443", "", sampler.StateTimeWait), PrevState: sampler.StateEstablished}, "~", "54112/tcp ESTABLISHED -> TIME_WAIT"},
	}
	for _, tt := range tests {
		g, text, _ := Describe(&tt.e, false)
		if g != tt.glyph || text != tt.text {
			t.Errorf("Describe = %q %q, want %q %q", g, text, tt.glyph, tt.text)
		}
	}
}

func opened(port int, at time.Time) sampler.Event {
	s := conn(netip.AddrPortFrom(netip.MustParseAddr("10.0.0.5"), uint16(port)).String(), "1.2.3.4:443", "curl", sampler.StateEstablished)
	return sampler.Event{Kind: sampler.Opened, Time: at, Socket: s}
}

func TestNewestFirstAndBounded(t *testing.T) {
	m := New(styles(), 50)
	m.SetSize(80, 4) // title + 3 lines
	for i := range 120 {
		m.Add([]sampler.Event{opened(50000+i, t0.Add(time.Duration(i)*time.Second))}, t0)
	}
	if m.Len() != 50 {
		t.Errorf("ring holds %d, capacity 50", m.Len())
	}
	lines := strings.Split(viewAt(m, t0, false), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], "50119/tcp") || !strings.Contains(lines[3], "50117/tcp") {
		t.Errorf("want the three newest, newest first:\n%s", strings.Join(lines, "\n"))
	}
	m.ScrollBy(10)
	if v := viewAt(m, t0, true); !strings.Contains(v, "50109/tcp") || !strings.Contains(v, "scrolled back 10") {
		t.Errorf("scrolled view:\n%s", v)
	}
	// A new event while scrolled back keeps the same lines in view.
	m.Add([]sampler.Event{opened(60000, t0)}, t0)
	if v := viewAt(m, t0, true); !strings.Contains(v, "50109/tcp") {
		t.Errorf("new event moved the scrolled view:\n%s", v)
	}
	m.Bottom()
	if v := viewAt(m, t0, true); !strings.Contains(v, "50071/tcp") || strings.Contains(v, "50070/tcp") {
		t.Errorf("bottom should end on the oldest kept (50071):\n%s", v)
	}
}

func TestFilterHidesButKeeps(t *testing.T) {
	m := New(styles(), 100)
	m.SetSize(80, 10)
	m.Add([]sampler.Event{opened(50001, t0), opened(50002, t0), opened(50003, t0)}, t0)
	m.SetFilter(func(e *sampler.Event) bool { return e.Socket.Local.Port() == 50002 })
	v := viewAt(m, t0, false)
	if !strings.Contains(v, "50002") || strings.Contains(v, "50001") || strings.Contains(v, "50003") {
		t.Errorf("filtered feed:\n%s", v)
	}
	m.SetFilter(nil)
	if v := viewAt(m, t0, false); !strings.Contains(v, "50001") {
		t.Errorf("clearing the filter should bring lines back:\n%s", v)
	}
}
