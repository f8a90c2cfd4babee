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

func TestFirstSampleIsSummarised(t *testing.T) {
	m := New(styles(), 100)
	m.SetSize(80, 10)
	var first []sampler.Event
	for p := range 500 {
		e := opened(40000+p, t0)
		e.Existing = true
		first = append(first, e)
	}
	m.Add(first, t0)
	if m.Len() != 1 {
		t.Fatalf("%d entries after the first sample, want one summary", m.Len())
	}
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 500 sockets already open") {
		t.Errorf("no summary line:\n%s", v)
	}
	one := New(styles(), 100)
	one.SetSize(80, 10)
	e := opened(40000, t0)
	e.Existing = true
	one.Add([]sampler.Event{e}, t0)
	if v := viewAt(one, t0, false); !strings.Contains(v, "= 1 socket already open") {
		t.Errorf("one socket not in the singular:\n%s", v)
	}
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

// TestExistingLineCountsWhatTheFilterMatches: the `=` line counts only the
// sockets already open that the filter matches, whether the filter was set
// before the first sample or changed later, and hides when it matches none.
func TestExistingLineCountsWhatTheFilterMatches(t *testing.T) {
	below := func(p uint16) func(*sampler.Event) bool {
		return func(e *sampler.Event) bool { return e.Socket.Local.Port() < p }
	}
	m := New(styles(), 100)
	m.SetSize(80, 10)
	m.SetFilter(below(40007)) // as --filter does, before the first sample
	var first []sampler.Event
	for p := range 500 {
		e := opened(40000+p, t0)
		e.Existing = true
		first = append(first, e)
	}
	m.Add(first, t0)
	m.Add([]sampler.Event{opened(40001, t0.Add(time.Second))}, t0.Add(time.Second))
	for _, step := range []struct {
		name  string
		match func(*sampler.Event) bool
		want  string // "": no summary line
	}{
		{"set before the first sample", nil, "= 7 sockets already open"},
		{"narrowed", below(40001), "= 1 socket already open"},
		{"widened", below(40100), "= 100 sockets already open"},
		{"matching all of them", func(*sampler.Event) bool { return true }, "= 500 sockets already open"},
		{"matching none of them", func(e *sampler.Event) bool { return e.Socket.Local.Port() == 40001 && !e.Existing }, ""},
	} {
		if step.match != nil {
			m.SetFilter(step.match)
		}
		v := viewAt(m, t0, false)
		if step.want == "" {
			if strings.Contains(v, "already open") || !strings.Contains(v, "40001/tcp") {
				t.Errorf("%s: want no summary line, the new socket only:\n%s", step.name, v)
			}
			continue
		}
		if !strings.Contains(v, step.want) {
			t.Errorf("%s: want %q:\n%s", step.name, step.want, v)
		}
	}
	m.SetFilter(func(*sampler.Event) bool { return false })
	if v := viewAt(m, t0, false); strings.Contains(v, "already open") || !strings.Contains(v, "no events match the filter yet") {
		t.Errorf("a filter matching nothing should show no lines, and say the filter hides them:\n%s", v)
	}
	m.SetFilter(nil)
	if v := viewAt(m, t0, false); !strings.Contains(v, "= 500 sockets already open") {
		t.Errorf("clearing the filter should count them all:\n%s", v)
	}
}
