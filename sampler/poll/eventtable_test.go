package poll

import (
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Steps for an event-kept table (see eventtable.go): transitions that name
// their socket by cookie, ticks, and checks.

// ev is a complete transition, at second at, of the socket with cookie
// cookie: addresses, states, and for an opening one who and where.
type ev struct {
	at            int
	cookie        uint64
	local, remote string
	from, to      string
	opener        sampler.Owner
	place         sampler.Place
	netns         uint32
}

func (s ev) do(x *scriptRun) {
	x.t.Helper()
	from, ok1 := sampler.ParseState(s.from)
	to, ok2 := sampler.ParseState(s.to)
	if !ok1 || !ok2 {
		x.t.Fatalf("bad states in %+v", s)
	}
	x.events = x.r.Transition(at(s.at), sampler.Transition{
		At: at(s.at), Proto: sampler.TCP, From: from, To: to, Cookie: s.cookie, NetNS: s.netns,
		Local: netip.MustParseAddrPort(s.local), Remote: netip.MustParseAddrPort(s.remote),
		Opener: s.opener, Place: s.place,
	}, x.events)
}

// tick is Reconciler.Tick at second at, with a UDP-only sample of udp
// (none when udp is nil); changed checks whether it re-based.
type tick struct {
	at      int
	udp     []string
	changed bool
}

func (s tick) do(x *scriptRun) {
	x.t.Helper()
	var udp *sampler.Snapshot
	if s.udp != nil {
		sn := snap(x.t, at(s.at), s.udp...)
		udp = &sn
	}
	events, table, changed := x.r.Tick(at(s.at), udp, nil, true)
	x.events = append(x.events, events...)
	if changed != s.changed {
		x.t.Errorf("step %d: tick changed %v, want %v", x.steps, changed, s.changed)
	}
	if changed && len(table.Sockets) != len(x.r.tableInto(nil)) {
		x.t.Errorf("step %d: tick's table is not the table", x.steps)
	}
}

// checkAt is a check's full sample at second at (BeginCheck was before).
type checkAt struct {
	at    int
	socks []string
}

func (s checkAt) do(x *scriptRun) {
	x.t.Helper()
	sn := snap(x.t, at(s.at), s.socks...)
	x.check(&sn)
}

// check is a check's full sample sn: Check's, or with scriptsKept the
// rows the filter BeginKept made keeps, CheckKept's.
func (x *scriptRun) check(sn *sampler.Snapshot) {
	x.t.Helper()
	if x.keep == nil {
		x.events = append(x.events, x.r.Check(sn.Time, sn, Reading{})...)
		return
	}
	kept := sampler.Snapshot{Time: sn.Time}
	for i := range sn.Sockets {
		if x.keep(&sn.Sockets[i]) {
			kept.Sockets = append(kept.Sockets, sn.Sockets[i])
		}
	}
	x.keep, x.kept = nil, len(kept.Sockets)
	events, _ := x.r.CheckKept(sn.Time, &kept, Reading{}, true)
	x.events = append(x.events, events...)
}

type beginCheck struct{}

func (beginCheck) do(x *scriptRun) { x.begin(true) }

// begin is BeginCheck, or with scriptsKept BeginKept (a whole check when
// it gives no filter).
func (x *scriptRun) begin(counted bool) {
	if !scriptsKept {
		x.r.BeginCheck(counted)
		return
	}
	x.keep = x.r.BeginKept(counted)
}

// beginRebase is beginCheck for a check that only re-bases (records lost).
type beginRebase struct{}

func (beginRebase) do(x *scriptRun) { x.begin(false) }

func checkDisagreements(n uint64) check {
	return func(t *testing.T, r *Reconciler) {
		t.Helper()
		if got := r.CheckDisagreements(); got != n {
			t.Errorf("%d check disagreements, want %d", got, n)
		}
	}
}

func reported(all, tcp uint64) check {
	return func(t *testing.T, r *Reconciler) {
		t.Helper()
		if a := r.Audit(); a.Reported != all || a.ReportedTCP != tcp {
			t.Errorf("reported %d (tcp %d), want %d (tcp %d)", a.Reported, a.ReportedTCP, all, tcp)
		}
	}
}

func table(want ...string) check {
	return func(t *testing.T, r *Reconciler) {
		t.Helper()
		var got []string
		for _, s := range r.tableInto(nil) {
			l := s.Proto.String() + " " + s.Local.String()
			if s.Proto == sampler.TCP {
				l += " " + s.State.String()
			}
			got = append(got, l)
		}
		if len(got) != len(want) {
			t.Errorf("table %q, want %q", got, want)
			return
		}
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("table %q, want %q", got, want)
				return
			}
		}
	}
}

var curl = sampler.Owner{PID: 4242, UID: 1000, Process: "curl", Start: 77}

// An active open is opened by its transition alone, as a sample would open
// it: cookie, Since at the kernel's time, the opener, the place; counted
// as a hand-out. Its states follow; going to CLOSE from FIN_WAIT2 waits for
// the release, which says TIME_WAIT; the kernel's timer ends it.
func TestEventTableActiveOpen(t *testing.T) {
	place := sampler.Place{Netns: 4026531840, CgroupID: 9}.WithNames(sampler.PlaceNames{NetnsName: "blue", Cgroup: "/user.slice"})
	tw := sock(t, "tcp 127.0.0.1:40001 127.0.0.1:80 TIME_WAIT #7")
	tw.TimeWaitEnds = sampler.StampOf(at(63))
	runScript(t,
		sample{0, nil},
		ev{at: 1, cookie: 7, local: cli, remote: srv, from: "CLOSE", to: "SYN_SENT", opener: curl, place: place},
		inspect(func(t *testing.T, events []sampler.Event) {
			if len(events) != 1 {
				t.Fatalf("events %q", lines(events))
			}
			e := events[0]
			want := sampler.Socket{
				ID:    sampler.ID{Cookie: 7, Proto: sampler.TCP, Local: netip.MustParseAddrPort(cli), Remote: netip.MustParseAddrPort(srv)},
				Owner: curl, Place: place, Since: sampler.StampOf(at(1)), State: sampler.StateSynSent,
			}
			if e.Kind != sampler.Opened || e.Existing || e.SeenAtEnd || !e.Time.Equal(at(1)) || e.Socket != want {
				t.Errorf("open %+v\nwant socket %+v", e, want)
			}
		}),
		reported(1, 1),
		ev{at: 1, cookie: 7, local: cli, remote: srv, from: "SYN_SENT", to: "ESTABLISHED"},
		ev{at: 2, cookie: 7, local: cli, remote: srv, from: "ESTABLISHED", to: "FIN_WAIT1"},
		ev{at: 2, cookie: 7, local: cli, remote: srv, from: "FIN_WAIT1", to: "FIN_WAIT2"},
		ev{at: 3, cookie: 7, local: cli, remote: srv, from: "FIN_WAIT2", to: "CLOSE"},
		want{"state 127.0.0.1:40001 #7 SYN_SENT->ESTABLISHED", "state 127.0.0.1:40001 #7 ESTABLISHED->FIN_WAIT1", "state 127.0.0.1:40001 #7 FIN_WAIT1->FIN_WAIT2"},
		releaseOf{at(3), sampler.Release{Socket: tw, At: at(3)}},
		inspect(func(t *testing.T, events []sampler.Event) {
			if len(events) != 1 || events[0].Socket.State != sampler.StateTimeWait || events[0].Socket.Owner.Process != "curl" || !events[0].Socket.Owner.Gone {
				t.Errorf("events %+v, want the change to TIME_WAIT with curl gone", events)
			}
		}),
		tick{at: 4, changed: true},
		want{},
		tick{at: 5},
		tick{at: 63, changed: true},
		inspect(func(t *testing.T, events []sampler.Event) {
			if len(events) != 1 || events[0].Kind != sampler.Closed || !events[0].Time.Equal(at(63)) || events[0].Held != 62*time.Second {
				t.Errorf("events %+v, want the close at the timer's end", events)
			}
		}),
		table(),
		disagreements(0),
	)
}

// A listener opens with its transition (not counted as a connection); an
// accepted connection opens when its handshake completes, owned and placed
// as the listener on its address in its own namespace.
func TestEventTableListenerAndAcceptedChild(t *testing.T) {
	nginx := sampler.Owner{PID: 10, UID: 33, Process: "nginx"}
	other := sampler.Owner{PID: 20, UID: 0, Process: "other"}
	blue := sampler.Place{Netns: 5}.WithNames(sampler.PlaceNames{Cgroup: "/blue"})
	runScript(t,
		sample{0, nil},
		ev{at: 1, cookie: 1, local: "0.0.0.0:8080", remote: "0.0.0.0:0", from: "CLOSE", to: "LISTEN", opener: other, netns: 9},
		ev{at: 1, cookie: 2, local: "0.0.0.0:8080", remote: "0.0.0.0:0", from: "CLOSE", to: "LISTEN", opener: nginx, place: blue},
		want{"open 0.0.0.0:8080 #1", "open 0.0.0.0:8080 #2"},
		reported(2, 0),
		ev{at: 2, cookie: 3, local: "127.0.0.1:8080", remote: cli, from: "LISTEN", to: "SYN_RECV", netns: 5},
		want{},
		ev{at: 2, cookie: 3, local: "127.0.0.1:8080", remote: cli, from: "SYN_RECV", to: "ESTABLISHED", netns: 5},
		inspect(func(t *testing.T, events []sampler.Event) {
			if len(events) != 1 || events[0].Kind != sampler.Opened {
				t.Fatalf("events %q", lines(events))
			}
			s := events[0].Socket
			if s.Owner != nginx || s.Place != blue || s.Cookie != 3 || !s.Since.Time().Equal(at(2)) || s.State != sampler.StateEstablished {
				t.Errorf("accepted %+v, want nginx's in blue", s)
			}
		}),
		reported(3, 1),
		// One the source knows the opener of keeps it.
		ev{at: 3, cookie: 4, local: "127.0.0.1:8080", remote: "127.0.0.1:40002", from: "SYN_RECV", to: "ESTABLISHED", netns: 9, opener: curl},
		inspect(func(t *testing.T, events []sampler.Event) {
			if len(events) != 1 || events[0].Socket.Owner != curl || events[0].Socket.Netns != 9 {
				t.Errorf("events %+v", events)
			}
		}),
		// A dual-stack listener takes IPv4 connections; a v6-only one does not.
		sampleOf{snap: sampler.Snapshot{Time: at(4), Sockets: []sampler.Socket{
			{ID: sampler.ID{Cookie: 5, Proto: sampler.TCP, Local: netip.MustParseAddrPort("[::]:9090")}, State: sampler.StateListen, Owner: nginx},
			{ID: sampler.ID{Cookie: 6, Proto: sampler.TCP, Local: netip.MustParseAddrPort("[::]:9091")}, State: sampler.StateListen, Owner: nginx, V6Only: true},
		}}},
		want{"close 0.0.0.0:8080 #1", "close 0.0.0.0:8080 #2", "close 127.0.0.1:8080 #3", "close 127.0.0.1:8080 #4", "open [::]:9090 #5", "open [::]:9091 #6"},
		ev{at: 5, cookie: 7, local: "127.0.0.1:9090", remote: cli, from: "SYN_RECV", to: "ESTABLISHED"},
		ev{at: 5, cookie: 8, local: "127.0.0.1:9091", remote: cli, from: "SYN_RECV", to: "ESTABLISHED"},
		inspect(func(t *testing.T, events []sampler.Event) {
			if len(events) != 2 || events[0].Socket.Owner != nginx || events[1].Socket.PID != 0 || events[1].Socket.UID != -1 {
				t.Errorf("events %+v", events)
			}
		}),
		disagreements(0),
	)
}

// A connection reset, refused or closed without TIME_WAIT closes at its
// transition to CLOSE (its port is free), even while its program still
// holds it; the release that comes later, maybe much later, adds nothing.
func TestEventTableCloseAtTransition(t *testing.T) {
	runScript(t,
		sample{0, []string{cliE, "tcp 127.0.0.1:80 127.0.0.1:40001 ESTABLISHED #2"}},
		want{"open 127.0.0.1:80 #2 existing", "open 127.0.0.1:40001 #1 existing"},
		ev{at: 1, cookie: 1, local: cli, remote: srv, from: "ESTABLISHED", to: "CLOSE"},
		ev{at: 1, cookie: 2, local: srv, remote: cli, from: "ESTABLISHED", to: "CLOSE_WAIT"},
		ev{at: 2, cookie: 2, local: srv, remote: cli, from: "CLOSE_WAIT", to: "LAST_ACK"},
		ev{at: 2, cookie: 2, local: srv, remote: cli, from: "LAST_ACK", to: "CLOSE"},
		want{"close 127.0.0.1:40001 #1", "state 127.0.0.1:80 #2 ESTABLISHED->CLOSE_WAIT", "state 127.0.0.1:80 #2 CLOSE_WAIT->LAST_ACK", "close 127.0.0.1:80 #2"},
		release{2, "tcp 127.0.0.1:80 127.0.0.1:40001 LAST_ACK #2"},
		tick{at: 3, changed: true},
		release{600, "tcp 0.0.0.0:40001 127.0.0.1:0 CLOSE #1"}, // its program closed it at last
		want{},
		// A refused connect: SYN_SENT -> CLOSE.
		ev{at: 601, cookie: 9, local: "127.0.0.1:40009", remote: srv, from: "CLOSE", to: "SYN_SENT", opener: curl},
		ev{at: 601, cookie: 9, local: "127.0.0.1:40009", remote: srv, from: "SYN_SENT", to: "CLOSE"},
		want{"open 127.0.0.1:40009 #9", "close 127.0.0.1:40009 #9"},
		reported(1, 1),
		disagreements(0),
	)
}

// A socket bound but never connected (CLOSE, which no transition reports)
// is known from samples; its connect is then its state change.
func TestEventTableBoundThenConnected(t *testing.T) {
	runScript(t,
		sample{0, []string{"tcp 127.0.0.1:40001 0.0.0.0:0 CLOSE #1"}},
		want{"open 127.0.0.1:40001 #1 existing"},
		ev{at: 1, cookie: 1, local: cli, remote: srv, from: "CLOSE", to: "SYN_SENT", opener: curl},
		want{"state 127.0.0.1:40001 #1 CLOSE->SYN_SENT"},
		disagreements(0),
	)
}

// A new connection taking over a TIME_WAIT pair closes the TIME_WAIT socket
// first, as a release of an unseen socket does.
func TestEventTableOpenTakesOverTimeWait(t *testing.T) {
	runScript(t,
		sample{0, []string{"tcp 127.0.0.1:40001 127.0.0.1:80 TIME_WAIT #1"}},
		want{"open 127.0.0.1:40001 #1 existing"},
		ev{at: 1, cookie: 2, local: cli, remote: srv, from: "CLOSE", to: "SYN_SENT"},
		want{"close 127.0.0.1:40001 #1", "open 127.0.0.1:40001 #2"},
	)
}

// A tick takes a UDP-only sample: its opens and closes, the TCP sockets
// kept as events left them; nothing changed, nothing re-based.
func TestEventTableTickUDP(t *testing.T) {
	runScript(t,
		sample{0, []string{cliE, "udp 127.0.0.1:5353 0.0.0.0:0 NONE #3"}},
		want{"open 127.0.0.1:5353 #3 existing", "open 127.0.0.1:40001 #1 existing"},
		tick{at: 1, udp: []string{"udp 127.0.0.1:5353 0.0.0.0:0 NONE #3"}},
		want{},
		ev{at: 2, cookie: 4, local: "127.0.0.1:40002", remote: srv, from: "CLOSE", to: "SYN_SENT"},
		tick{at: 2, udp: []string{"udp 127.0.0.1:5354 0.0.0.0:0 NONE #5"}, changed: true},
		want{"open 127.0.0.1:40002 #4", "close 127.0.0.1:5353 #3", "open 127.0.0.1:5354 #5"},
		table("tcp 127.0.0.1:40001 ESTABLISHED", "tcp 127.0.0.1:40002 SYN_SENT", "udp 127.0.0.1:5354"),
		reported(2, 1),
		// A UDP socket released between ticks closes once.
		release{3, "udp 127.0.0.1:5354 0.0.0.0:0 NONE #5"},
		want{"close 127.0.0.1:5354 #5"},
		tick{at: 3, udp: []string{"udp 127.0.0.1:5354 0.0.0.0:0 NONE #5"}, changed: true}, // dumped just before its release
		want{},
		table("tcp 127.0.0.1:40001 ESTABLISHED", "tcp 127.0.0.1:40002 SYN_SENT"),
	)
}

// A check agreeing with the events reports nothing; sockets events touched
// while its dump ran keep the table's row; every other difference is
// reported as a sample would and counted, but those events cannot tell (UDP,
// a handshake in progress, a bound socket, a timewait socket's end).
func TestEventTableCheck(t *testing.T) {
	runScript(t,
		sample{0, []string{cliE, "tcp 127.0.0.1:40002 127.0.0.1:80 ESTABLISHED #2", "tcp 127.0.0.1:40003 127.0.0.1:80 TIME_WAIT #3"}},
		want{"open 127.0.0.1:40001 #1 existing", "open 127.0.0.1:40002 #2 existing", "open 127.0.0.1:40003 #3 existing"},
		ev{at: 1, cookie: 4, local: "127.0.0.1:40004", remote: srv, from: "CLOSE", to: "SYN_SENT"},
		want{"open 127.0.0.1:40004 #4"},
		beginCheck{},
		// During the dump: 40004 established (the dump saw it SYN_SENT),
		// 40005 opened (the dump missed it).
		ev{at: 5, cookie: 4, local: "127.0.0.1:40004", remote: srv, from: "SYN_SENT", to: "ESTABLISHED"},
		ev{at: 5, cookie: 5, local: "127.0.0.1:40005", remote: srv, from: "CLOSE", to: "SYN_SENT"},
		want{"state 127.0.0.1:40004 #4 SYN_SENT->ESTABLISHED", "open 127.0.0.1:40005 #5"},
		checkAt{5, []string{
			cliE,
			"tcp 127.0.0.1:40002 127.0.0.1:80 CLOSE_WAIT #2", // a change no event told: counted
			"tcp 127.0.0.1:40004 127.0.0.1:80 SYN_SENT #4",
			"tcp 127.0.0.1:40006 127.0.0.1:80 ESTABLISHED #6", // an open no event told: counted
			"tcp 127.0.0.1:80 127.0.0.1:50000 SYN_RECV #7",    // a request socket: expected
			"tcp 127.0.0.1:40008 0.0.0.0:0 CLOSE #8",          // bound: expected
			"udp 127.0.0.1:5353 0.0.0.0:0 NONE #9",            // UDP: expected
			// 40003's TIME_WAIT ended: expected
		}},
		want{"close 127.0.0.1:40003 #3", "state 127.0.0.1:40002 #2 ESTABLISHED->CLOSE_WAIT", "open 127.0.0.1:80 #7", "open 127.0.0.1:5353 #9", "open 127.0.0.1:40006 #6", "open 127.0.0.1:40008 #8"},
		checkDisagreements(2),
		table("tcp 127.0.0.1:40001 ESTABLISHED", "tcp 127.0.0.1:40002 CLOSE_WAIT", "tcp 127.0.0.1:40004 ESTABLISHED",
			"tcp 127.0.0.1:40005 SYN_SENT", "tcp 127.0.0.1:40006 ESTABLISHED", "tcp 127.0.0.1:80 SYN_RECV",
			"tcp 127.0.0.1:40008 CLOSE", "udp 127.0.0.1:5353"),
		// A missed close, and a change TCP cannot make: the check's table
		// is taken, the impossible change with no event.
		beginCheck{},
		checkAt{10, []string{
			"tcp 127.0.0.1:40002 127.0.0.1:80 SYN_SENT #2",
			"tcp 127.0.0.1:40004 127.0.0.1:80 ESTABLISHED #4",
			"tcp 127.0.0.1:40005 127.0.0.1:80 SYN_SENT #5",
			"tcp 127.0.0.1:40006 127.0.0.1:80 ESTABLISHED #6",
			"tcp 127.0.0.1:80 127.0.0.1:50000 SYN_RECV #7",
			"tcp 127.0.0.1:40008 0.0.0.0:0 CLOSE #8",
			"udp 127.0.0.1:5353 0.0.0.0:0 NONE #9",
		}},
		want{"close 127.0.0.1:40001 #1"},
		checkDisagreements(4),
		disagreements(0),
	)
}

// A TIME_WAIT socket the table expired by its timer and a check still
// shows (the timer ran a little late) is not opened again.
func TestEventTableCheckAfterTimeWaitExpiry(t *testing.T) {
	tw := sock(t, "tcp 127.0.0.1:40001 127.0.0.1:80 TIME_WAIT #1")
	tw.TimeWaitEnds = sampler.StampOf(at(2))
	runScript(t,
		sampleOf{snap: sampler.Snapshot{Time: at(0), Sockets: []sampler.Socket{tw}}},
		want{"open 127.0.0.1:40001 #1 existing"},
		tick{at: 1},
		tick{at: 2, changed: true},
		want{"close 127.0.0.1:40001 #1"},
		beginCheck{},
		sampleOfCheck{snap: sampler.Snapshot{Time: at(2), Sockets: []sampler.Socket{tw}}},
		want{},
		checkDisagreements(0),
	)
}

// sampleOfCheck is checkAt with a snapshot built by hand.
type sampleOfCheck struct{ snap sampler.Snapshot }

func (s sampleOfCheck) do(x *scriptRun) {
	sn := s.snap
	sn.Sockets = append([]sampler.Socket(nil), sn.Sockets...)
	x.check(&sn)
}

// A table that changed by more than rebaseAt sockets since its base
// becomes the base at the next tick, and stays the table.
func TestEventTableRebasesWhenBusy(t *testing.T) {
	var steps []step
	steps = append(steps, sample{0, []string{cliE}})
	for i := range rebaseAt {
		port := 20000 + i
		steps = append(steps, ev{at: 1, cookie: uint64(10 + i), local: "127.0.0.1:" + strconv.Itoa(port), remote: srv, from: "CLOSE", to: "SYN_SENT"})
	}
	steps = append(steps,
		check(func(t *testing.T, r *Reconciler) {
			if len(r.Base().Sockets) != 1 {
				t.Errorf("base re-based before the tick: %d sockets", len(r.Base().Sockets))
			}
		}),
		tick{at: 2, changed: true},
		check(func(t *testing.T, r *Reconciler) {
			if n := len(r.Base().Sockets); n != rebaseAt+1 || r.adjust.len() != 0 {
				t.Errorf("base %d sockets, %d adjusted; want %d, 0", n, r.adjust.len(), rebaseAt+1)
			}
		}),
		ev{at: 3, cookie: 10, local: "127.0.0.1:20000", remote: srv, from: "SYN_SENT", to: "ESTABLISHED"},
		inspect(func(t *testing.T, events []sampler.Event) {
			if n := len(events); n != rebaseAt+2 || events[n-1].Kind != sampler.StateChanged {
				t.Errorf("%d events, last %+v", n, events[n-1])
			}
		}),
		disagreements(0),
	)
	runScript(t, steps...)
}

// With SetTablesAsBase (a paced consumer keeps the table it was handed)
// every table a tick builds is the base, however few sockets changed: the
// consumer holds the base, not a copy beside it. Without, a table of few
// changes is a copy.
func TestEventTableTablesAsBase(t *testing.T) {
	for _, asBase := range []bool{false, true} {
		runScript(t,
			sample{0, []string{cliE}},
			check(func(t *testing.T, r *Reconciler) { r.SetTablesAsBase(asBase) }),
			ev{at: 1, cookie: 10, local: "127.0.0.1:20000", remote: srv, from: "CLOSE", to: "SYN_SENT"},
			check(func(t *testing.T, r *Reconciler) {
				_, table, changed := r.Tick(at(2), nil, nil, true)
				if !changed || len(table.Sockets) != 2 {
					t.Fatalf("tick: changed %v, %d sockets", changed, len(table.Sockets))
				}
				if shared := bufKey(table.Sockets) == bufKey(r.Base().Sockets); shared != asBase || (r.adjust.len() == 0) != asBase {
					t.Errorf("tables as base %v: table is the base %v, %d adjusted", asBase, shared, r.adjust.len())
				}
			}),
			ev{at: 3, cookie: 10, local: "127.0.0.1:20000", remote: srv, from: "SYN_SENT", to: "ESTABLISHED"},
			inspect(func(t *testing.T, events []sampler.Event) {
				if n := len(events); n != 3 || events[n-1].Kind != sampler.StateChanged {
					t.Errorf("%d events, last %+v", n, events[n-1])
				}
			}),
			disagreements(0),
		)
	}
}

// connect() changes the state before the kernel picks the port: the open
// waits for the next transition, which names it, and is stamped at the
// connect; a connect that got no port opens nothing. A listen() on an
// unbound socket gets its port from the next check's row.
func TestEventTableOpenWaitsForThePort(t *testing.T) {
	runScript(t,
		sample{0, nil},
		ev{at: 1, cookie: 7, local: "127.0.0.1:0", remote: srv, from: "CLOSE", to: "SYN_SENT", opener: curl},
		want{},
		ev{at: 2, cookie: 7, local: cli, remote: srv, from: "SYN_SENT", to: "ESTABLISHED"},
		inspect(func(t *testing.T, events []sampler.Event) {
			if got := lines(events); len(got) != 2 || got[0] != "open 127.0.0.1:40001 #7" || got[1] != "state 127.0.0.1:40001 #7 SYN_SENT->ESTABLISHED" {
				t.Fatalf("events %q", got)
			}
			if o := events[0]; !o.Time.Equal(at(1)) || !o.Socket.Since.Time().Equal(at(1)) || o.Socket.Owner != curl || o.Socket.State != sampler.StateSynSent {
				t.Errorf("open %+v, want at the connect, by curl, in SYN_SENT", o)
			}
		}),
		reported(1, 1),
		// No port left: the kernel closes it with none.
		ev{at: 3, cookie: 8, local: "127.0.0.1:0", remote: srv, from: "CLOSE", to: "SYN_SENT", opener: curl},
		ev{at: 3, cookie: 8, local: "127.0.0.1:0", remote: srv, from: "SYN_SENT", to: "CLOSE"},
		want{},
		reported(1, 1),
		ev{at: 4, cookie: 9, local: "0.0.0.0:0", remote: "0.0.0.0:0", from: "CLOSE", to: "LISTEN", opener: curl},
		want{},
		beginCheck{},
		checkAt{5, []string{"tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED #7", "tcp 0.0.0.0:41000 0.0.0.0:0 LISTEN #9"}},
		inspect(func(t *testing.T, events []sampler.Event) {
			if got := lines(events); len(got) != 1 || got[0] != "open 0.0.0.0:41000 #9" || events[0].Socket.Owner != curl || !events[0].Time.Equal(at(4)) {
				t.Errorf("events %+v", events)
			}
		}),
		checkDisagreements(0),
		disagreements(0),
	)
}

// After the kernel dropped records, a check re-bases the table: its
// differences are reported as a sample's and not counted.
func TestEventTableRebaseCheckCountsNothing(t *testing.T) {
	runScript(t,
		sample{0, []string{cliE}},
		want{"open 127.0.0.1:40001 #1 existing"},
		beginRebase{},
		checkAt{5, []string{"tcp 127.0.0.1:40002 127.0.0.1:80 ESTABLISHED #2"}},
		want{"close 127.0.0.1:40001 #1", "open 127.0.0.1:40002 #2"},
		checkDisagreements(0),
		beginCheck{},
		checkAt{10, nil},
		want{"close 127.0.0.1:40002 #2"},
		checkDisagreements(1),
	)
}

// A tick's table is built in room for its rows and a sixteenth more, not
// for the base and every socket changed since (the gone ones too) and an
// eighth: under churn the live view's two tables had a quarter of their
// room or more unused (~140k rows for ~110k sockets, BIG=1). A buffer
// with room enough and not much more is built in; one with over a
// quarter to spare is let go.
func TestTickTableSizedByItsRows(t *testing.T) {
	r := NewReconciler(sampler.FirstSeen{})
	conn := func(c uint64) string {
		return "tcp 127.0.0.1:" + strconv.Itoa(20000+int(c)) + " 127.0.0.1:80 ESTABLISHED #" + strconv.FormatUint(c, 10)
	}
	var socks []string
	for c := uint64(1); c <= 1000; c++ {
		socks = append(socks, conn(c))
	}
	base := snap(t, at(0), socks...)
	r.Sample(at(0), &base, Reading{})
	var events []sampler.Event
	churn := func(sec int, from, to uint64) { // close from..to-1, open from+1000..to+999
		for c := from; c < to; c++ {
			s := sock(t, conn(c))
			events = r.Transition(at(sec), sampler.Transition{At: at(sec), Proto: sampler.TCP, From: sampler.StateEstablished, To: sampler.StateClose, Cookie: c, Local: s.Local, Remote: s.Remote}, events[:0])
			n := sock(t, conn(c+1000))
			events = r.Transition(at(sec), sampler.Transition{At: at(sec), Proto: sampler.TCP, From: sampler.StateClose, To: sampler.StateSynSent, Cookie: c + 1000, Local: n.Local, Remote: n.Remote}, events[:0])
		}
	}
	room := func(table sampler.Snapshot) int { return cap(table.Sockets) - len(table.Sockets) }
	churn(1, 1, 601)
	_, table, changed := r.Tick(at(1), nil, nil, true)
	if !changed || len(table.Sockets) != 1000 {
		t.Fatalf("tick: changed %v, %d rows, want 1000", changed, len(table.Sockets))
	}
	if max := 1000/16 + 16; room(table) > max {
		t.Errorf("a table of %d rows built in room for %d: %d to spare, want at most %d", len(table.Sockets), cap(table.Sockets), room(table), max)
	}
	// Room enough, and a little more: built in it.
	fits := make([]sampler.Socket, 0, 1100)
	churn(2, 601, 701)
	if _, table, _ = r.Tick(at(2), nil, fits, true); bufKey(table.Sockets) != bufKey(fits) {
		t.Errorf("a table of %d rows not built in a buffer of %d", len(table.Sockets), cap(fits))
	}
	// Over a quarter to spare: let go.
	roomy := make([]sampler.Socket, 0, 1400)
	churn(3, 701, 801)
	if _, table, _ = r.Tick(at(3), nil, roomy, true); bufKey(table.Sockets) == bufKey(roomy) || room(table) > 1000/16+16 {
		t.Errorf("a table of %d rows built in room for %d", len(table.Sockets), cap(table.Sockets))
	}
}
