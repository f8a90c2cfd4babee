package sockettable

import (
	"io"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

var linuxEphemeral = ports.Range{Lo: 32768, Hi: 60999}

func asciiStyles() style.Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return style.New(r, theme.Default)
}

func mk(proto sampler.Proto, local, remote string, state sampler.State, pid int32, proc string, age time.Duration) sampler.Socket {
	s := sampler.Socket{ID: sampler.ID{Proto: proto, Local: netip.MustParseAddrPort(local)}, State: state, Owner: sampler.Owner{PID: pid, Process: proc}, Since: sampler.StampOf(t0.Add(-age))}
	if remote != "" {
		s.Remote = netip.MustParseAddrPort(remote)
	}
	return s
}

func sample() []sampler.Socket {
	return []sampler.Socket{
		mk(sampler.TCP, "10.0.0.5:41822", "140.82.112.3:443", sampler.StateEstablished, 3100, "git", 20*time.Second),
		mk(sampler.TCP, "0.0.0.0:22", "", sampler.StateListen, 812, "sshd", time.Hour),
		mk(sampler.UDP, "127.0.0.53:53", "", sampler.StateNone, 640, "systemd-resolved", 2*time.Hour),
		mk(sampler.TCP, "10.0.0.5:50000", "1.1.1.1:853", sampler.StateTimeWait, 0, "", 2*time.Second),
		mk(sampler.TCP, "0.0.0.0:8080", "", sampler.StateListen, 1500, "python3", 10*time.Minute),
	}
}

func newTable(w, h int) Model {
	m := New(Options{Styles: asciiStyles(), Ephemeral: linuxEphemeral})
	m.SetSize(w, h)
	return m
}

// ports lists the rows' local ports in table order.
func rowPorts(m Model) []uint16 {
	var out []uint16
	for _, r := range m.rows {
		out = append(out, r.s.Local.Port())
	}
	return out
}

func TestSortOrders(t *testing.T) {
	tests := []struct {
		key  SortKey
		want []uint16
	}{
		{ByPort, []uint16{22, 53, 8080, 41822, 50000}},
		// "" sorts first (UDP's no-state), then ESTABLISHED, LISTEN x2 by port, TIME_WAIT.
		{ByState, []uint16{53, 41822, 22, 8080, 50000}},
		// Named processes alphabetically, unknown owner last.
		{ByProcess, []uint16{41822, 8080, 22, 53, 50000}},
		// Youngest first.
		{ByAge, []uint16{50000, 41822, 8080, 22, 53}},
	}
	for _, tt := range tests {
		t.Run(tt.key.String(), func(t *testing.T) {
			m := newTable(100, 20)
			m.SetSort(tt.key)
			m.Observe(sample(), nil, t0)
			if got := rowPorts(m); !slicesEqual(got, tt.want) {
				t.Errorf("order %v, want %v", got, tt.want)
			}
		})
	}
}

func slicesEqual(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSortKeyCycles(t *testing.T) {
	k := ByPort
	seen := map[SortKey]bool{}
	for range 4 {
		seen[k] = true
		k = k.Next()
	}
	if k != ByPort || len(seen) != 4 {
		t.Fatalf("after four presses: %v, saw %d orders", k, len(seen))
	}
}

func TestFreshAndGoneRows(t *testing.T) {
	m := newTable(100, 20)
	socks := sample()
	m.Observe(socks, nil, t0)

	opened := mk(sampler.TCP, "10.0.0.5:54112", "93.184.216.34:443", sampler.StateEstablished, 4000, "curl", 0)
	closed := socks[0] // git's connection goes away
	next := append([]sampler.Socket{opened}, socks[1:]...)
	m.Observe(next, []sampler.Event{
		{Kind: sampler.Opened, Time: t0, Socket: opened},
		{Kind: sampler.Closed, Time: t0, Socket: closed, Held: 21 * time.Second},
	}, t0)

	view := viewAt(m, t0, false)
	line := func(port string) string {
		for _, l := range strings.Split(view, "\n") {
			if strings.Contains(l, port) {
				return l
			}
		}
		t.Fatalf("no row for %s in\n%s", port, view)
		return ""
	}
	if l := line(":54112"); !strings.HasPrefix(l, " +e ") {
		t.Errorf("new row should carry + and the ephemeral marker: %q", l)
	}
	if l := line(":41822"); !strings.HasPrefix(l, " -e ") || !strings.Contains(l, "21s") {
		t.Errorf("closed row should linger with - and show how long it was held: %q", l)
	}
	if l := line("*:22"); !strings.HasPrefix(l, "    ") {
		t.Errorf("an old row outside the ephemeral range has an empty gutter: %q", l)
	}

	// After the highlight times the new row is plain and the closed one gone.
	later := t0.Add(DefaultGoneFor + time.Second)
	if !m.Expire(later) {
		t.Fatal("Expire reported no change")
	}
	view = viewAt(m, later, false)
	if strings.Contains(view, ":41822") {
		t.Errorf("closed row still lingers after %v:\n%s", DefaultGoneFor, view)
	}
	if l := line(":54112"); !strings.HasPrefix(l, "  e ") {
		t.Errorf("highlight should have expired: %q", l)
	}
	if m.fresh.len() != 0 || m.lingering.len() != 0 {
		t.Errorf("expired marks kept: %d fresh, %d lingering", m.fresh.len(), m.lingering.len())
	}
}

func TestExistingSocketsAreNotFresh(t *testing.T) {
	m := newTable(100, 20)
	socks := sample()
	ev := make([]sampler.Event, len(socks))
	for i, s := range socks {
		ev[i] = sampler.Event{Kind: sampler.Opened, Time: t0, Socket: s, Existing: true}
	}
	m.Observe(socks, ev, t0)
	if strings.Contains(viewAt(m, t0, false), " + ") || m.fresh.len() != 0 {
		t.Errorf("the first sample's sockets must not be highlighted as new")
	}
}

func TestCursorFollowsItsSocket(t *testing.T) {
	m := newTable(100, 20)
	m.Observe(sample(), nil, t0)
	m.MoveBy(2) // port 8080 in port order
	if s, _ := m.Selected(); s.Local.Port() != 8080 {
		t.Fatalf("cursor on %d, want 8080", s.Local.Port())
	}
	m.SetSort(ByAge)
	if s, _ := m.Selected(); s.Local.Port() != 8080 {
		t.Errorf("after resorting the cursor moved to %d", s.Local.Port())
	}
	if !strings.Contains(viewAt(m, t0, true), CursorGlyph+"   tcp  *:8080") {
		t.Errorf("cursor glyph not on the 8080 row:\n%s", viewAt(m, t0, true))
	}
	m.End()
	if m.cursor != len(m.rows)-1 {
		t.Errorf("End: cursor %d of %d", m.cursor, len(m.rows))
	}
	m.MoveBy(100)
	if m.cursor != len(m.rows)-1 {
		t.Errorf("moving past the end: cursor %d", m.cursor)
	}
	m.Home()
	m.MoveBy(-5)
	if m.cursor != 0 {
		t.Errorf("moving before the start: cursor %d", m.cursor)
	}
}

func TestOnlyVisibleRowsRendered(t *testing.T) {
	m := newTable(80, 6) // header + 5 rows
	var socks []sampler.Socket
	for p := 1000; p < 1100; p++ {
		socks = append(socks, mk(sampler.TCP, "127.0.0.1:"+strconv.Itoa(p), "", sampler.StateListen, 1, "srv", time.Minute))
	}
	m.Observe(socks, nil, t0)
	lines := strings.Split(viewAt(m, t0, false), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6", len(lines))
	}
	m.PageDown()
	m.PageDown()
	view := viewAt(m, t0, true)
	if !strings.Contains(view, ":1008") || strings.Contains(view, ":1000 ") {
		t.Errorf("after two page downs the window should have moved:\n%s", view)
	}
	if n := len(m.cache.lines); n > 64 {
		t.Errorf("row cache holds %d rows for a 5-row screen", n)
	}
}

func TestFilterNarrowsRows(t *testing.T) {
	m := newTable(100, 20)
	m.SetFilter(func(s *sampler.Socket) bool { return s.State == sampler.StateListen })
	m.Observe(sample(), nil, t0)
	if got := rowPorts(m); !slicesEqual(got, []uint16{22, 8080}) {
		t.Errorf("filtered rows %v", got)
	}
}

func TestColumnsFitWidth(t *testing.T) {
	for _, w := range []int{60, 80, 100, 140, 200} {
		l := fit(w)
		total := gutterWidth - 1
		for _, c := range l.cols {
			total += 1 + l.w[c.id]
		}
		if total > w {
			t.Errorf("width %d: columns take %d", w, total)
		}
		if _, ok := l.w[colState]; !ok {
			t.Errorf("width %d: state column dropped", w)
		}
	}
	// PID and SERVICE only take room the addresses can spare.
	for w := 60; w <= 200; w++ {
		l := fit(w)
		_, pid := l.w[colPID]
		_, svc := l.w[colService]
		if (pid || svc) && (l.w[colLocal] < addrFloor || l.w[colRemote] < addrFloor) {
			t.Errorf("width %d: PID/SERVICE shown while LOCAL is %d and REMOTE %d cells", w, l.w[colLocal], l.w[colRemote])
		}
	}
	if _, ok := fit(80).w[colService]; ok {
		t.Error("at 80 columns the service column should give way to the addresses")
	}
	if _, ok := fit(60).w[colService]; ok {
		t.Error("at 60 columns the service column should give way")
	}
	if _, ok := fit(100).w[colService]; !ok {
		t.Error("at 100 columns the service column should show")
	}
}

// A release reported between samples closes a socket the current table still
// lists: it must show once, as the lingering closed row, not twice.
func TestReleasedSocketStillInTableShowsOnce(t *testing.T) {
	m := newTable(100, 20)
	socks := sample()
	m.Observe(socks, nil, t0)
	released := socks[0]
	m.Observe(socks, []sampler.Event{{Kind: sampler.Closed, Time: t0, Socket: released, Held: time.Second}}, t0)
	view := viewAt(m, t0, false)
	if n := strings.Count(view, ":41822"); n != 1 {
		t.Fatalf("released socket shows %d times, want once:\n%s", n, view)
	}
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, ":41822") && !strings.HasPrefix(l, " -e ") {
			t.Errorf("its row should be the closed one: %q", l)
		}
	}
}

// A socket known only from its release was held for an unknown, tiny time:
// its closed row says 0s and does not count up while it lingers.
func TestSeenAtEndRowAgeStaysAtHeld(t *testing.T) {
	m := newTable(100, 20)
	socks := sample()
	m.Observe(socks, nil, t0)
	brief := mk(sampler.TCP, "10.0.0.5:40999", "1.2.3.4:443", sampler.StateClose, 0, "", -1)
	brief.Since = sampler.StampOf(t0)
	m.Observe(socks, []sampler.Event{
		{Kind: sampler.Opened, Time: t0, Socket: brief, SeenAtEnd: true},
		{Kind: sampler.Closed, Time: t0, Socket: brief, SeenAtEnd: true},
	}, t0)
	later := t0.Add(3 * time.Second)
	for _, l := range strings.Split(viewAt(m, later, false), "\n") {
		if strings.Contains(l, ":40999") {
			if !strings.HasSuffix(strings.TrimSpace(l), FormatAge(0)) {
				t.Errorf("closed row's age should stay at what it was held (%s): %q", FormatAge(0), l)
			}
			return
		}
	}
	t.Fatal("no lingering row for the brief socket")
}
