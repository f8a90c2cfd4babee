package ui

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/safe"
)

// The namespaces of these tests: porttop's own (inode ownIno, the host's
// range 32768-60999), "blue" with a range of its own, and one whose name
// is hostile (names are anyone's text).
const (
	ownIno  = 4026531840
	blueIno = 4026532238
	redIno  = 4026532300
	redName = "\x1b]2;PWNED\x07red"
)

var (
	blueRange = ports.Range{Lo: 1000, Hi: 1999}
	redRange  = ports.Range{Lo: 2000, Hi: 2099}
)

func netnsRanges() []sampler.NetnsRange {
	return []sampler.NetnsRange{
		{Netns: blueIno, NetnsName: "blue", Range: blueRange},
		{Netns: redIno, NetnsName: redName, Range: redRange},
	}
}

// in puts s in namespace ino.
func in(ino uint64, name string, s sampler.Socket) sampler.Socket {
	s.Place = sampler.Place{Netns: ino}.WithNames(sampler.PlaceNames{NetnsName: name})
	return s
}

// blueClients are n connections from blue's range to one database.
func blueClients(n int) []sampler.Socket {
	var out []sampler.Socket
	for i := range n {
		local := "10.1.0.2:" + strconv.Itoa(int(blueRange.Lo)+i)
		out = append(out, in(blueIno, "blue", sock(sampler.TCP, local, "10.1.0.9:5432", sampler.StateEstablished, 7000, "app", t0)))
	}
	return out
}

// netnsMachine is porttop's own sockets (baseSockets, tagged with its
// inode) and blue's and red's.
func netnsMachine(blue int) []sampler.Socket {
	var socks []sampler.Socket
	for _, s := range baseSockets() {
		socks = append(socks, in(ownIno, "", s))
	}
	socks = append(socks, blueClients(blue)...)
	socks = append(socks, in(redIno, redName, sock(sampler.TCP, "10.2.0.2:2001", "10.2.0.9:443", sampler.StateEstablished, 7100, "red", t0)))
	return socks
}

func netnsBatch(at time.Time, socks []sampler.Socket, ranges []sampler.NetnsRange, events ...sampler.Event) wideMsg {
	b := nextBatchMsg(at, socks, events...)
	b.Batch.NetnsRanges = ranges
	return b
}

func newNetnsModel(t *testing.T, c *clock, w, h int) Model {
	t.Helper()
	cfg := testConfig(c)
	cfg.OwnNetns = ownIno
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return update(m, tea.WindowSizeMsg{Width: w, Height: h})
}

// churnShown is the churn panel as the screen draws it.
func churnShown(m Model) string { return m.views.shownChurn().View() }

// TestNetnsKeyPicksNamespaceForChurnAndMap: N cycles the churn panel and
// the map through all namespaces, porttop's own, then each other; each
// says which it shows (a hostile name escaped), counts only that
// namespace's sockets, and judges them against that namespace's range.
func TestNetnsKeyPicksNamespaceForChurnAndMap(t *testing.T) {
	c := &clock{t: t0}
	m := newNetnsModel(t, c, 120, 40)
	m = update(m, keyMsg("c"), netnsBatch(t0, netnsMachine(5), netnsRanges()))

	steps := []struct {
		label    string   // in the churn panel and on the map
		want     []string // also in the churn panel
		wantNot  []string
		mapRange string
	}{
		{"all netns", []string{"10.1.0.9:5432", "140.82.112.3:443", "32768-60999"}, nil, "32768-60999"},
		{"porttop's netns net:[4026531840]", []string{"140.82.112.3:443", "32768-60999"}, []string{"10.1.0.9:5432", "10.2.0.9"}, "32768-60999"},
		{"netns blue", []string{"10.1.0.9:5432", "OS ephemeral range 1000-1999 (1,000 ports)", "5/1,000 in use"}, []string{"140.82.112.3", "10.2.0.9"}, "1000-1999"},
		{`netns \x1b]2;PWNED\ared`, []string{"10.2.0.9:443", "OS ephemeral range 2000-2099 (100 ports)", "1/100 in use"}, []string{"10.1.0.9", "140.82.112.3"}, "2000-2099"},
		{"all netns", []string{"10.1.0.9:5432", "140.82.112.3:443"}, nil, "32768-60999"},
	}
	for i, st := range steps {
		if i > 0 {
			m = update(m, keyMsg("N"))
		}
		ch := churnShown(m)
		if !strings.Contains(ch, st.label+": top destinations") {
			t.Errorf("step %d: the churn panel does not say %q:\n%s", i, st.label, ch)
		}
		for _, w := range st.want {
			if !strings.Contains(ch, w) {
				t.Errorf("step %d (%s): churn panel lacks %q:\n%s", i, st.label, w, ch)
			}
		}
		for _, w := range st.wantNot {
			if strings.Contains(ch, w) {
				t.Errorf("step %d (%s): churn panel shows %q of another namespace:\n%s", i, st.label, w, ch)
			}
		}
		if strings.ContainsAny(ch, "\x1b\x07") {
			t.Errorf("step %d: a raw control character reached the panel: %q", i, ch)
		}
		if i > 0 && !strings.Contains(m.status.text, st.label) {
			t.Errorf("step %d: status %q does not name %q", i, m.status.text, st.label)
		}
		mm := update(m, keyMsg("m"))
		mv := mm.View()
		if !strings.Contains(mv, st.label+": ports ") {
			t.Errorf("step %d: the map's cursor line does not say %q:\n%s", i, st.label, mv)
		}
		if !strings.Contains(mv, "OS ephemeral "+st.mapRange) {
			t.Errorf("step %d: the map's legend is not of range %s:\n%s", i, st.mapRange, mv)
		}
		if strings.Contains(mv, "PWNED\x07") {
			t.Errorf("step %d: the hostile name reached the screen raw", i)
		}
	}
}

// TestNetnsChurnCountsItsOwnHandOuts: a chosen namespace's panel counts
// the hand-outs of its own sockets, not those of others; the machine's
// panel (and the header's warnings) keep counting every namespace.
func TestNetnsChurnCountsItsOwnHandOuts(t *testing.T) {
	c := &clock{t: t0}
	m := newNetnsModel(t, c, 120, 40)
	m = update(m, keyMsg("c"), netnsBatch(t0, netnsMachine(0), netnsRanges()))
	m = update(m, keyMsg("N"), keyMsg("N")) // blue
	var evs []sampler.Event
	for _, s := range blueClients(40) {
		evs = append(evs, sampler.Event{Kind: sampler.Opened, Time: t0.Add(time.Second), Socket: s})
	}
	curl := in(ownIno, "", curlSocket())
	evs = append(evs, sampler.Event{Kind: sampler.Opened, Time: t0.Add(time.Second), Socket: curl})
	socks := append(netnsMachine(40), curl)
	m = update(m, netnsBatch(t0.Add(time.Second), socks, netnsRanges(), evs...))
	c.advance(2 * time.Second)
	m = update(m, netnsBatch(t0.Add(2*time.Second), socks, netnsRanges()))
	blue := churnShown(m)
	if !strings.Contains(blue, "hand-outs/s") || !strings.Contains(blue, "max 40") {
		t.Errorf("blue's panel does not count its 40 hand-outs:\n%s", blue)
	}
	if !strings.Contains(blue, "40/1,000 in use") {
		t.Errorf("blue's gauge is not 40 of its 1,000 ports:\n%s", blue)
	}
	m = update(m, keyMsg("N"), keyMsg("N")) // red, then all
	all := churnShown(m)
	if !strings.Contains(all, "all netns") || !strings.Contains(all, "max 41") {
		t.Errorf("the machine's panel does not count every namespace's 41 hand-outs:\n%s", all)
	}
	m = update(m, keyMsg("N")) // porttop's own: a fresh history, from the newest snapshot
	own := churnShown(m)
	if strings.Contains(own, "10.1.0.9") || !strings.Contains(own, "93.184.216.34:443") {
		t.Errorf("porttop's own panel shows another namespace's destination or lacks its own:\n%s", own)
	}
}

// TestNetnsGoneFallsBackToAll: a chosen namespace that the source stops
// listing (deleted) gives way to all, and the status line says so.
func TestNetnsGoneFallsBackToAll(t *testing.T) {
	c := &clock{t: t0}
	m := newNetnsModel(t, c, 120, 40)
	m = update(m, keyMsg("c"), netnsBatch(t0, netnsMachine(3), netnsRanges()))
	m = update(m, keyMsg("N"), keyMsg("N"))
	if got := m.views.scope.label(); got != "netns blue" {
		t.Fatalf("after N N: %q, want netns blue", got)
	}
	var rest []sampler.Socket
	for _, s := range netnsMachine(0) {
		if s.Netns != redIno {
			rest = append(rest, s)
		}
	}
	onlyRed := netnsRanges()[1:]
	m = update(m, netnsBatch(t0.Add(time.Second), netnsMachine(0), onlyRed))
	if got := m.views.scope.label(); got != "all netns" {
		t.Errorf("blue is gone: the panels show %q, want all netns", got)
	}
	if !strings.Contains(m.status.text, "netns blue is no longer read") {
		t.Errorf("status %q does not say blue is gone", m.status.text)
	}
	if ch := churnShown(m); !strings.Contains(ch, "all netns: top destinations") {
		t.Errorf("the panel does not say all:\n%s", ch)
	}
	// The last other namespace gone: nothing to tell apart, no label.
	m = update(m, netnsBatch(t0.Add(2*time.Second), rest, nil))
	if ch := churnShown(m); strings.Contains(ch, "netns") {
		t.Errorf("one namespace left, the panel still names one:\n%s", ch)
	}
}

// TestNetnsRangeChangeFollowed: a chosen namespace whose range changes
// (sysctl inside it) is counted against its new range from that batch on.
func TestNetnsRangeChangeFollowed(t *testing.T) {
	c := &clock{t: t0}
	m := newNetnsModel(t, c, 120, 40)
	m = update(m, keyMsg("c"), netnsBatch(t0, netnsMachine(5), netnsRanges()))
	m = update(m, keyMsg("N"), keyMsg("N"))
	wider := netnsRanges()
	wider[0].Range = ports.Range{Lo: 1000, Hi: 2999}
	m = update(m, netnsBatch(t0.Add(time.Second), netnsMachine(5), wider))
	if ch := churnShown(m); !strings.Contains(ch, "5/2,000 in use") || !strings.Contains(ch, "1000-2999") {
		t.Errorf("blue's panel did not follow its range to 1000-2999:\n%s", ch)
	}
	// porttop's own range changing leaves blue's alone.
	b := netnsBatch(t0.Add(2*time.Second), netnsMachine(5), wider)
	b.Batch.Ephemeral = sampler.EphemeralRange{Range: ports.Range{Lo: 40000, Hi: 40999}, Since: t0.Add(2 * time.Second)}
	m = update(m, b)
	if ch := churnShown(m); !strings.Contains(ch, "5/2,000 in use") {
		t.Errorf("porttop's range change moved blue's panel:\n%s", ch)
	}
	m = update(m, keyMsg("N"), keyMsg("N"), keyMsg("N")) // red, all, own
	if ch := churnShown(m); !strings.Contains(ch, "40000-40999") {
		t.Errorf("porttop's own panel is not of its new range:\n%s", ch)
	}
}

// TestNetnsKeyWithOneNamespace: with one namespace read, N says why there
// is nothing to pick, and the panels name no namespace.
func TestNetnsKeyWithOneNamespace(t *testing.T) {
	c := &clock{t: t0}
	m := newNetnsModel(t, c, 120, 40)
	m = update(m, keyMsg("c"), firstBatch(t0, baseSockets()), keyMsg("N"))
	if !strings.Contains(m.status.text, "reads one network namespace") {
		t.Errorf("status %q does not say why N picks nothing", m.status.text)
	}
	if ch := churnShown(m); strings.Contains(ch, "netns") {
		t.Errorf("one namespace, yet the panel names one:\n%s", ch)
	}
	if strings.Contains(m.statusLine(), "N next netns") {
		t.Errorf("the key legend offers N with nothing to pick: %q", m.statusLine())
	}
}

// TestNetnsKeyInLegendAndHelp: with several namespaces read, the key
// legend on the churn panel and the map lists N, and help explains it.
func TestNetnsKeyInLegendAndHelp(t *testing.T) {
	c := &clock{t: t0}
	m := newNetnsModel(t, c, 160, 40)
	m = update(m, netnsBatch(t0, netnsMachine(1), netnsRanges()))
	if strings.Contains(m.statusLine(), "N next netns") {
		t.Errorf("the table's key legend lists N, which does not act on it: %q", m.statusLine())
	}
	for _, k := range []string{"c", "m"} {
		mm := update(m, keyMsg(k))
		mm.status.clear()
		if !strings.Contains(mm.statusLine(), "N next netns") {
			t.Errorf("after %s the key legend lacks N: %q", k, mm.statusLine())
		}
	}
	help := m.helpText(200)
	for _, w := range []string{"N", "next netns", "each counted against its own ephemeral range"} {
		if !strings.Contains(help, w) {
			t.Errorf("help lacks %q", w)
		}
	}
}

// TestNsScopeCycle: the pure cycle of choices.
func TestNsScopeCycle(t *testing.T) {
	s := nsScope{own: ownIno}
	s.next()
	if s.sel != 0 {
		t.Fatalf("no other namespace: next chose %d", s.sel)
	}
	s.follow(netnsRanges())
	var got []string
	for range 5 {
		s.next()
		got = append(got, s.label())
	}
	want := []string{"porttop's netns net:[4026531840]", "netns blue", "netns " + redName, "all netns", "porttop's netns net:[4026531840]"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cycle %q, want %q", got, want)
	}
	for _, tt := range []struct {
		sel, netns uint64
		want       bool
	}{
		{selOwn, 0, true}, {selOwn, ownIno, true}, {selOwn, blueIno, false}, {selOwn, 777, true},
		{blueIno, blueIno, true}, {blueIno, 0, false}, {blueIno, ownIno, false}, {0, redIno, true},
	} {
		s.sel = tt.sel
		if got := s.holds(tt.netns); got != tt.want {
			t.Errorf("sel %d holds(%d) = %v, want %v", tt.sel, tt.netns, got, tt.want)
		}
	}
}

// TestNetnsTableMarksByOwnRange: the table's e mark of a socket in
// another namespace is by that namespace's range (the batch's
// NetnsRanges), not porttop's: blue's 1000-1999 ports are marked, a port
// of porttop's range in blue is not, and porttop's own sockets keep
// porttop's range.
func TestNetnsTableMarksByOwnRange(t *testing.T) {
	c := &clock{t: t0}
	m := newNetnsModel(t, c, 160, 40)
	socks := append(netnsMachine(2),
		in(blueIno, "blue", sock(sampler.TCP, "10.1.0.2:41000", "10.1.0.9:5432", sampler.StateEstablished, 7000, "app", t0)),
		in(ownIno, "", sock(sampler.TCP, "10.0.0.5:1500", "10.0.0.9:5432", sampler.StateEstablished, 3300, "own", t0)))
	m = update(m, netnsBatch(t0, socks, netnsRanges()))
	c.advance(time.Minute) // past the highlights: the gutter is the mark alone
	view := m.View()
	for addr, want := range map[string]bool{
		"10.1.0.2:1000":  true,  // blue's range
		"10.1.0.2:41000": false, // porttop's range, but in blue
		"10.0.0.5:41822": true,  // porttop's own socket in porttop's range
		"10.0.0.5:1500":  false, // blue's range, but porttop's own socket
		"10.2.0.2:2001":  true,  // red's range
	} {
		row := ""
		for _, l := range strings.Split(view, "\n") {
			if strings.Contains(l, addr+" ") {
				row = l
			}
		}
		if row == "" {
			t.Fatalf("no row of %s:\n%s", addr, view)
		}
		if got := strings.HasPrefix(row, "  e "); got != want {
			t.Errorf("%s marked e %v, want %v: %q", addr, got, want, row)
		}
		// A port its namespace handed out names no service (1000 is
		// cadlock2's): the service is the remote's.
		if addr == "10.1.0.2:1000" && !strings.Contains(row, "postgresql") {
			t.Errorf("blue's ephemeral 1000 is named as a service: %q", row)
		}
	}
}

// tinyNetns is a namespace whose 10-port range (20000-20009) lies outside
// porttop's: its clients fill it with 9 connections to one database and
// its own listener binds the 10th port.
const tinyIno = 4026532400

var tinyRange = ports.Range{Lo: 20000, Hi: 20009}

func tinyMachine(name string) ([]sampler.Socket, []sampler.NetnsRange) {
	var socks []sampler.Socket
	for _, s := range baseSockets() {
		socks = append(socks, in(ownIno, "", s))
	}
	for p := 20000; p < 20009; p++ {
		socks = append(socks, in(tinyIno, name, sock(sampler.TCP, "10.4.0.2:"+strconv.Itoa(p), "10.4.0.9:5432", sampler.StateEstablished, 7200, "app", t0)))
	}
	socks = append(socks, in(tinyIno, name, sock(sampler.TCP, "0.0.0.0:20009", "", sampler.StateListen, 7201, "srv", t0)))
	return socks, []sampler.NetnsRange{{Netns: tinyIno, NetnsName: name, Range: tinyRange}}
}

// TestNetnsFullDestinationByItsRange: the machine's churn panel and the
// header's warnings judge a destination of another namespace by that
// namespace's range: tiny's database holds 9 of its 10 ports and its
// listener the 10th, so the range is full for it (⚠ FULL, named with its
// namespace, the name escaped), though it holds nothing of porttop's; the
// header's first warning names tiny, fuller than porttop's namespace.
func TestNetnsFullDestinationByItsRange(t *testing.T) {
	for _, name := range []string{"tiny", "\x1b[31mtiny"} {
		c := &clock{t: t0}
		m := newNetnsModel(t, c, 200, 50)
		socks, ranges := tinyMachine(name)
		m = update(m, keyMsg("c"), netnsBatch(t0, socks, ranges))
		label := "tcp 10.4.0.9:5432 in netns " + safe.Text(name)
		ch := churnShown(m)
		if !strings.Contains(ch, "⚠ FULL "+label) || !strings.Contains(ch, " 90% ") {
			t.Errorf("%q: the churn panel does not mark tiny's database full of its range:\n%s", name, ch)
		}
		view := m.View()
		want := "! " + label + " holds 9 of the 10 ports (1 more bound by listeners or unconnected sockets) of its namespace's ephemeral range 20000-20009: the range is full for it"
		if !strings.Contains(view, want) {
			t.Errorf("%q: the header does not warn %q:\n%s", name, want, view)
		}
		// The first warning is of the namespace: fuller than porttop's.
		ns := "! netns " + safe.Text(name) + " is running out of its own ephemeral range 20000-20009: 10 of its 10 ports in use (100.0%"
		if i, j := strings.Index(view, ns), strings.Index(view, "! tcp"); i < 0 || j < i {
			t.Errorf("%q: the header's first warning is not %q:\n%s", name, ns, view)
		}
		if strings.Contains(view, "\x1b[31m") {
			t.Errorf("%q: a raw escape reached the screen", name)
		}
	}
}

// TestNetnsFailuresNamed: failed connects (the ebpf source's) of another
// namespace are named with it where failures are shown: the header, the
// churn panel and explain (the name escaped); porttop's own namespace's
// without one.
func TestNetnsFailuresNamed(t *testing.T) {
	c := &clock{t: t0}
	m := newNetnsModel(t, c, 320, 50)
	socks, ranges := tinyMachine(redName)
	b := netnsBatch(t0, socks, ranges)
	db := netip.MustParseAddrPort("10.4.0.9:5432")
	b.Batch.Failures = []sampler.FailureCount{
		{Last: t0, Op: sampler.FailedConnect, Errno: sampler.ErrnoAddrNotAvail, Addr: db, Process: "app", PID: 7200, Count: 10, Netns: tinyIno, NetnsName: redName},
		{Last: t0.Add(-time.Second), Op: sampler.FailedConnect, Errno: sampler.ErrnoAddrNotAvail, Addr: db, Process: "own", PID: 3300, Count: 2, Netns: ownIno},
	}
	m = update(m, keyMsg("c"), b)
	label := "10.4.0.9:5432 in netns " + safe.Text(redName)
	view := m.View()
	if want := "! 12 connects failed: no free port (app -> " + label + ")"; !strings.Contains(view, want) {
		t.Errorf("the header lacks %q:\n%s", want, view)
	}
	if want := "most to " + label + ": 10"; !strings.Contains(churnShown(m), want) {
		t.Errorf("the churn panel lacks %q:\n%s", want, churnShown(m))
	}
	text := strings.Join(strings.Fields(m.explainText(explainTarget{port: 5432}, 200)), " ")
	for _, want := range []string{label + " (10)", "10.4.0.9:5432 (2)"} {
		if !strings.Contains(text, want) {
			t.Errorf("explain 5432 lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(view+text, "\x1b]") {
		t.Error("a raw escape reached the screen")
	}
}

// TestNetnsFocusedTableMarksByOwnRange: a port filter's focused batch
// comes before the machine-wide one on a big machine; its rows are marked
// e by the ranges of their namespaces that the focused batch carries, not
// porttop's alone.
func TestNetnsFocusedTableMarksByOwnRange(t *testing.T) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	cfg.OwnNetns = ownIno
	focus := cfg.Feed.(*scriptFeed)
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m = update(m, tea.WindowSizeMsg{Width: 160, Height: 30})
	m = applyFilter(t, m, "5432")
	if len(focus.asked) != 1 {
		t.Fatalf("no focus asked: %+v", focus.asked)
	}
	fb := focusBatch(focus.asked[0].gen, blueClients(3)...)
	fb.Batch.NetnsRanges = netnsRanges()
	m = update(m, fb)
	c.advance(time.Minute)
	view := m.View()
	marked := 0
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "10.1.0.2:100") && strings.HasPrefix(l[1:], " e ") {
			marked++
		}
	}
	if marked != 3 {
		t.Errorf("%d of blue's 3 focused rows marked e by blue's range, want 3:\n%s", marked, view)
	}
}
