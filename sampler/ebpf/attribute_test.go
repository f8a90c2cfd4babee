package ebpf

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func tr(sock uint64, from, to sampler.State, local, remote string, who *sampler.Actor, at time.Duration) sampler.Transition {
	t := sampler.Transition{At: t0.Add(at), Sock: sock, Proto: sampler.TCP, Local: ap(local), Remote: ap(remote), From: from, To: to}
	if who != nil {
		t.Actor = *who
	}
	return t
}

var (
	curl  = &sampler.Actor{Known: true, PID: 10, TID: 10, UID: 1000, Comm: "curl"}
	nginx = &sampler.Actor{Known: true, PID: 20, TID: 20, UID: 33, Comm: "nginx"}
)

func sock(local, remote string, st sampler.State, pid int32) sampler.Socket {
	return sampler.Socket{ID: sampler.ID{Cookie: 0xc0c, Proto: sampler.TCP, Local: ap(local), Remote: ap(remote)}, State: st, Owner: sampler.Owner{PID: pid, UID: -1}}
}

func TestAttributorKeepsTheConnectorAfterItExits(t *testing.T) {
	alive := true
	a := NewAttributor(func(pid int32) bool { return alive })
	const l, r = "127.0.0.1:40000", "127.0.0.1:9400"
	steps := []sampler.Transition{
		tr(1, sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, curl, 0),
		tr(1, sampler.StateSynSent, sampler.StateEstablished, l, r, nil, 1),
	}
	for _, s := range steps {
		if _, ok := a.Transition(s); ok {
			t.Fatalf("%s -> %s released something", s.From, s.To)
		}
	}
	// Netlink has not walked /proc yet: the socket gets curl, alive.
	snap := sampler.Snapshot{Time: t0.Add(time.Second), Sockets: []sampler.Socket{sock(l, r, sampler.StateEstablished, 0)}}
	a.Sample(&snap)
	if s := snap.Sockets[0]; s.PID != 10 || s.Process != "curl" || s.UID != 1000 || s.Owner.Gone {
		t.Fatalf("established: %+v", s)
	}
	// curl closes first and exits; the socket goes to TIME_WAIT.
	alive = false
	a.Transition(tr(1, sampler.StateEstablished, sampler.StateFinWait1, l, r, curl, 2*time.Second))
	a.Transition(tr(1, sampler.StateFinWait1, sampler.StateFinWait2, l, r, nil, 2*time.Second))
	rel, ok := a.Transition(tr(1, sampler.StateFinWait2, sampler.StateClose, l, r, nil, 2*time.Second))
	if !ok || rel.Socket.State != sampler.StateTimeWait || rel.Socket.PID != 10 || !rel.Socket.Owner.Gone || rel.Socket.Cookie != 0xc0c || rel.At != t0.Add(2*time.Second) {
		t.Fatalf("release = %+v, %v", rel, ok)
	}
	snap = sampler.Snapshot{Time: t0.Add(3 * time.Second), Sockets: []sampler.Socket{sock(l, r, sampler.StateTimeWait, 0)}}
	a.Sample(&snap)
	if s := snap.Sockets[0]; s.PID != 10 || s.Process != "curl" || !s.Owner.Gone {
		t.Fatalf("time-wait: %+v", s)
	}
	// TIME_WAIT ends: the socket leaves the table, its owner is forgotten.
	a.Sample(&sampler.Snapshot{Time: t0.Add(63 * time.Second)})
	a.Sample(&sampler.Snapshot{Time: t0.Add(70 * time.Second)})
	if a.Len() != 0 {
		t.Errorf("%d owners left", a.Len())
	}
}

func TestAttributorGivesAcceptedSocketsTheListener(t *testing.T) {
	a := NewAttributor(func(int32) bool { return true })
	const l, r = "127.0.0.1:80", "127.0.0.1:50000"
	a.Transition(tr(5, sampler.StateClose, sampler.StateListen, "0.0.0.0:80", "0.0.0.0:0", nginx, 0))
	a.Transition(tr(6, sampler.StateListen, sampler.StateSynRecv, l, r, curl /* whoever was interrupted */, 0))
	a.Transition(tr(6, sampler.StateSynRecv, sampler.StateEstablished, l, r, nil, 0))
	a.Transition(tr(6, sampler.StateEstablished, sampler.StateCloseWait, l, r, nil, 0))
	a.Transition(tr(6, sampler.StateCloseWait, sampler.StateLastAck, l, r, nginx, 0))
	rel, ok := a.Transition(tr(6, sampler.StateLastAck, sampler.StateClose, l, r, nil, 0))
	if !ok || rel.Socket.State != sampler.StateClose || rel.Socket.PID != 20 || rel.Socket.Process != "nginx" {
		t.Fatalf("release = %+v, %v", rel, ok)
	}
	// netlink's report of the release may come after the transition.
	nl := sock(l, r, sampler.StateClose, 0)
	a.Name(&nl)
	if nl.PID != 20 || !nl.Owner.Gone {
		t.Errorf("netlink's late release named %+v", nl)
	}
	a.Sample(&sampler.Snapshot{Time: t0.Add(closedGrace + time.Second)})
	if a.Len() != 0 {
		t.Errorf("a socket closed for good kept its owner past the grace")
	}
	rel, ok = a.Transition(tr(5, sampler.StateListen, sampler.StateClose, "0.0.0.0:80", "0.0.0.0:0", nginx, 0))
	if !ok || rel.Socket.State != sampler.StateClose || rel.Socket.Local != ap("0.0.0.0:80") {
		t.Fatalf("listener release = %+v, %v", rel, ok)
	}
	// A later child of another listener on the port is not nginx's.
	a.Transition(tr(7, sampler.StateListen, sampler.StateSynRecv, l, "127.0.0.1:50001", nil, 0))
	if a.Len() != 0 {
		t.Errorf("a closed listener still attributes its port")
	}
}

func TestAttributorLeavesWhatNetlinkKnowsAndForgetsFailures(t *testing.T) {
	a := NewAttributor(func(int32) bool { return true })
	const l, r = "127.0.0.1:40001", "127.0.0.1:9400"
	a.Transition(tr(1, sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, curl, 0))
	a.Transition(tr(1, sampler.StateSynSent, sampler.StateEstablished, l, r, nil, 0))
	snap := sampler.Snapshot{Time: t0, Sockets: []sampler.Socket{sock(l, r, sampler.StateEstablished, 30)}}
	snap.Sockets[0].Process = "wget"
	a.Sample(&snap)
	if s := snap.Sockets[0]; s.PID != 30 || s.Process != "wget" {
		t.Errorf("netlink's owner replaced: %+v", s)
	}
	// A connect that failed before it had a port releases nothing.
	a.Transition(tr(2, sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, curl, 0))
	if _, ok := a.Transition(tr(2, sampler.StateSynSent, sampler.StateClose, "127.0.0.1:0", r, nil, 0)); ok {
		t.Error("a portless failed connect was released")
	}
	if len(a.connecting) != 0 {
		t.Errorf("%d connects pending", len(a.connecting))
	}
	// An open socket whose close was lost is forgotten after openGrace.
	a.Sample(&sampler.Snapshot{Time: t0.Add(openGrace + time.Second)})
	if a.Len() != 0 {
		t.Errorf("%d owners left", a.Len())
	}
}

// A sample that shows a socket before its opening transitions are read
// names it at the next sample: no "no owner" is remembered for its cookie.
func TestAttributorRechecksASocketSampledBeforeItsTransitions(t *testing.T) {
	a := NewAttributor(func(int32) bool { return true })
	const l, r = "127.0.0.1:40002", "127.0.0.1:9400"
	sample := func(i int) sampler.Socket {
		snap := sampler.Snapshot{Time: t0.Add(time.Duration(i) * 100 * time.Millisecond), Sockets: []sampler.Socket{sock(l, r, sampler.StateEstablished, 0)}}
		a.Sample(&snap)
		return snap.Sockets[0]
	}
	if s := sample(0); s.PID != 0 {
		t.Fatalf("named before any transition: %+v", s)
	}
	a.Transition(tr(1, sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, curl, 0))
	a.Transition(tr(1, sampler.StateSynSent, sampler.StateEstablished, l, r, nil, 0))
	if s := sample(1); s.PID != 10 {
		t.Errorf("the sample after the transitions: %+v, want curl's", s.Owner)
	}
}

func BenchmarkAttributorSample(b *testing.B) {
	a := NewAttributor(func(int32) bool { return false })
	snap := sampler.Snapshot{Time: t0}
	for i := 0; i < 20000; i++ {
		l := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(20000+i))
		r := ap("127.0.0.1:9400")
		if i%2 == 0 { // half opened while porttop watched
			a.Transition(sampler.Transition{Sock: uint64(i), From: sampler.StateClose, To: sampler.StateSynSent, Local: netip.AddrPortFrom(l.Addr(), 0), Remote: r, Actor: *curl})
			a.Transition(sampler.Transition{Sock: uint64(i), From: sampler.StateSynSent, To: sampler.StateEstablished, Local: l, Remote: r})
		}
		snap.Sockets = append(snap.Sockets, sampler.Socket{ID: sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP, Local: l, Remote: r}, State: sampler.StateTimeWait})
	}
	b.ReportAllocs()
	for b.Loop() {
		snap.Time = snap.Time.Add(100 * time.Millisecond)
		for i := range snap.Sockets {
			snap.Sockets[i].PID = 0
		}
		a.Sample(&snap)
	}
}

// Two namespaces can hold the same four-tuple: each socket gets its own
// namespace's opener, by address as by cookie.
func TestAttributorTellsNamespacesApart(t *testing.T) {
	a := NewAttributor(func(int32) bool { return true })
	a.Home = 100
	const l, r = "127.0.0.1:40003", "127.0.0.1:9400"
	inNS := func(x sampler.Transition, ns uint32) sampler.Transition { x.NetNS = ns; return x }
	// curl in porttop's namespace (the kernel gives its inode), nginx's
	// client in namespace 200; neither transition carries a cookie.
	a.Transition(inNS(tr(1, sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, curl, 0), 100))
	a.Transition(inNS(tr(1, sampler.StateSynSent, sampler.StateEstablished, l, r, nil, 0), 100))
	a.Transition(inNS(tr(2, sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, nginx, 0), 200))
	a.Transition(inNS(tr(2, sampler.StateSynSent, sampler.StateEstablished, l, r, nil, 0), 200))
	home := sock(l, r, sampler.StateEstablished, 0) // netlink of porttop's namespace: Netns 0
	home.Cookie = 1
	other := sock(l, r, sampler.StateEstablished, 0)
	other.Cookie, other.Netns = 2, 200
	snap := sampler.Snapshot{Time: t0, Sockets: []sampler.Socket{home, other}}
	a.Sample(&snap)
	if got := snap.Sockets[0]; got.Process != "curl" {
		t.Errorf("porttop's namespace's socket: %+v", got)
	}
	if got := snap.Sockets[1]; got.Process != "nginx" {
		t.Errorf("namespace 200's socket: %+v", got)
	}
	rel := sock(l, r, sampler.StateClose, 0)
	rel.Netns = 200
	if !a.Name(&rel) || rel.Process != "nginx" {
		t.Errorf("namespace 200's release named %+v", rel)
	}
}

// A transition with a cookie names its socket by cookie at once, even
// one a sample showed (with no owner) before the transition was read.
func TestAttributorNamesByTheTransitionsCookie(t *testing.T) {
	a := NewAttributor(func(int32) bool { return true })
	const l, r = "127.0.0.1:40004", "127.0.0.1:9400"
	s := sock(l, r, sampler.StateEstablished, 0)
	s.Cookie = 77
	snap := sampler.Snapshot{Time: t0, Sockets: []sampler.Socket{s}}
	a.Sample(&snap)
	if snap.Sockets[0].PID != 0 {
		t.Fatalf("named before any transition: %+v", snap.Sockets[0])
	}
	c := tr(1, sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, curl, 0)
	c.Cookie = 77
	a.Transition(c)
	if act, ok := a.Opener(c); !ok || act.PID != curl.PID {
		t.Errorf("connect's opener = %+v, %v", act, ok)
	}
	e := tr(1, sampler.StateSynSent, sampler.StateEstablished, l, r, nil, 0)
	e.Cookie = 77
	a.Transition(e)
	if act, ok := a.Opener(e); !ok || act.PID != curl.PID {
		t.Errorf("established's opener = %+v, %v", act, ok)
	}
	snap = sampler.Snapshot{Time: t0.Add(100 * time.Millisecond), Sockets: []sampler.Socket{s}}
	a.Sample(&snap)
	if got := snap.Sockets[0]; got.Process != "curl" {
		t.Errorf("the next sample: %+v (want curl)", got)
	}
}

// With no sample to sweep them, the owners and cookies that transitions
// alone bring in stay bounded.
func TestAttributorStaysBoundedWithoutSamples(t *testing.T) {
	a := NewAttributor(func(int32) bool { return false })
	r := ap("127.0.0.1:9400")
	for i := 0; i < maxOwners+1000; i++ {
		c := tr(uint64(i), sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r.String(), curl, time.Duration(i)*time.Microsecond)
		c.Cookie = uint64(i + 1)
		a.Transition(c) // a connect that never got a port: no address to key
		c.From, c.To, c.Actor = sampler.StateSynSent, sampler.StateClose, sampler.Actor{}
		a.Transition(c)
	}
	if len(a.byCookie) > maxOwners || len(a.byAddr) > maxOwners || a.Len() > maxOwners || len(a.slots) > maxOwners || len(a.connecting) > maxPending {
		t.Errorf("%d cookies, %d addresses, %d owners in %d slots, %d connecting: past the bounds", len(a.byCookie), len(a.byAddr), a.Len(), len(a.slots), len(a.connecting))
	}
}

// Known names, before netlink's /proc walk, only the sockets whose opener
// surely holds them still: a connector or listener that has not closed
// the socket and runs. An accepted socket (its owner the listener's, which
// a worker may hold instead), a closed one, one whose opener exited, one
// with a PID already and one without an inode are left to the walk.
func TestAttributorKnownNamesOnlyWhatTheOpenerHolds(t *testing.T) {
	alive := map[int32]bool{10: true, 20: true}
	a := NewAttributor(func(pid int32) bool { return alive[pid] })
	const r = "127.0.0.1:9400"
	connect := func(sock, cookie uint64, local string, who *sampler.Actor) {
		open := tr(sock, sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, who, 0)
		open.Cookie = cookie
		est := tr(sock, sampler.StateSynSent, sampler.StateEstablished, local, r, nil, 1)
		est.Cookie = cookie
		a.Transition(open)
		a.Transition(est)
	}
	connect(1, 101, "127.0.0.1:40001", curl) // held by curl
	connect(2, 102, "127.0.0.1:40002", curl) // closed below
	wget := &sampler.Actor{Known: true, PID: 30, Comm: "wget"}
	connect(3, 103, "127.0.0.1:40003", wget) // wget has exited
	connect(4, 0, "127.0.0.1:40004", curl)   // no cookie (the classic tracepoint)
	a.Transition(tr(2, sampler.StateEstablished, sampler.StateClose, "127.0.0.1:40002", r, curl, 2))
	a.Transition(tr(5, sampler.StateClose, sampler.StateListen, "0.0.0.0:80", "0.0.0.0:0", nginx, 0))
	acc := tr(6, sampler.StateListen, sampler.StateSynRecv, "127.0.0.1:80", "127.0.0.1:50000", curl, 0)
	acc.Cookie = 106
	a.Transition(acc)

	row := func(cookie uint64, local, remote string, inode uint32, pid int32) sampler.Socket {
		s := sock(local, remote, sampler.StateEstablished, pid)
		s.Cookie, s.Inode = cookie, inode
		return s
	}
	socks := []sampler.Socket{
		row(101, "127.0.0.1:40001", r, 1, 0),
		row(102, "127.0.0.1:40002", r, 2, 0),
		row(103, "127.0.0.1:40003", r, 3, 0),
		row(106, "127.0.0.1:80", "127.0.0.1:50000", 6, 0),
		row(101, "127.0.0.1:40001", r, 0, 0),  // no file holds it
		row(101, "127.0.0.1:40001", r, 1, 77), // named already
		row(999, "127.0.0.1:40001", r, 9, 0),  // another socket on curl's addresses
		row(0, "127.0.0.1:40001", r, 1, 0),    // no cookie, where curl's had one
		row(0, "127.0.0.1:40004", r, 4, 0),    // no cookie either side: by addresses
		row(0, "127.0.0.1:40009", r, 1, 0),    // no transition told of it
		row(105, "0.0.0.0:80", "0.0.0.0:0", 5, 0),
		row(107, "0.0.0.0:81", "0.0.0.0:0", 7, 0), // no listen() told of it
	}
	socks[10].State, socks[11].State = sampler.StateListen, sampler.StateListen
	a.Known(socks)
	want := []int32{10, 0, 0, 0, 0, 77, 0, 0, 10, 0, 20, 0}
	for i, s := range socks {
		if s.PID != want[i] {
			t.Errorf("row %d (cookie %d, inode %d): pid %d, want %d", i, s.Cookie, s.Inode, s.PID, want[i])
		}
	}
	if s := socks[0]; s.Process != "curl" || s.Owner.Gone {
		t.Errorf("curl's socket: %+v", s.Owner)
	}
	if a.alive != nil {
		t.Error("Known kept its liveness memo")
	}
}

// Owners live in slots that are reused once their socket is gone, and
// moved into a smaller slice after a burst: a cookie or an address of a
// socket gone names nobody, not the slot's next owner, and the owners
// kept are still found by cookie and by address.
func TestAttributorReusesSlotsWithoutMixingOwners(t *testing.T) {
	a := NewAttributor(func(int32) bool { return true })
	const r = "127.0.0.1:9400"
	lo := netip.MustParseAddr("127.0.0.1")
	local := func(i int) string { return netip.AddrPortFrom(lo, uint16(10000+i)).String() }
	at := time.Duration(0)
	// connect opens sockets first..first+n-1 (cookie 1+i, port 10000+i)
	// for who, and closes all but every keep-th.
	connect := func(first, n, keep int, who *sampler.Actor) {
		for i := first; i < first+n; i++ {
			open := tr(uint64(i), sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, who, at)
			open.Cookie = uint64(1 + i)
			est := tr(uint64(i), sampler.StateSynSent, sampler.StateEstablished, local(i), r, nil, at)
			est.Cookie = open.Cookie
			a.Transition(open)
			a.Transition(est)
			if (i-first)%keep != 0 {
				closed := tr(uint64(i), sampler.StateEstablished, sampler.StateClose, local(i), r, who, at)
				closed.Cookie = open.Cookie
				a.Transition(closed)
			}
		}
	}
	// sweep samples the kept sockets closedGrace on: the rest are forgotten.
	sweep := func(first, n, keep int) {
		at += closedGrace + time.Second
		snap := sampler.Snapshot{Time: t0.Add(at)}
		for i := first; i < first+n; i += keep {
			s := sock(local(i), r, sampler.StateEstablished, 0)
			s.Cookie = uint64(1 + i)
			snap.Sockets = append(snap.Sockets, s)
		}
		a.Sample(&snap)
	}
	// byCookie names socket i by its cookie alone (its addresses another's).
	byCookie := func(i int) (string, bool) {
		s := sock("10.0.0.1:1", r, sampler.StateClose, 0)
		s.Cookie = uint64(1 + i)
		ok := a.Name(&s)
		return s.Process, ok
	}
	byAddr := func(i int) (string, bool) {
		s := sock(local(i), r, sampler.StateClose, 0)
		s.Cookie = 0
		ok := a.Name(&s)
		return s.Process, ok
	}
	// 100 of curl's, one kept; then 100 of nginx's in the freed slots.
	connect(0, 100, 100, curl)
	sweep(0, 100, 100)
	connect(100, 100, 1, nginx)
	if len(a.slots) > 101 {
		t.Errorf("%d slots for 101 owners: the freed ones not reused", len(a.slots))
	}
	for i := range 200 {
		want := "nginx"
		if i < 100 {
			want = map[bool]string{true: "curl"}[i == 0]
		}
		for how, name := range map[string]func(int) (string, bool){"cookie": byCookie, "address": byAddr} {
			if got, ok := name(i); got != want || ok != (want != "") {
				t.Errorf("socket %d by %s: %q, %v; want %q", i, how, got, ok, want)
			}
		}
	}
	// A burst of curl's, nine kept: the slots shrink, and the kept ones are
	// found by cookie and address; the rest named by neither.
	const n = 2 * shrinkFrom
	connect(200, n, 1000, curl)
	sweep(200, n, 1000)
	if a.Len() != 110 || len(a.slots) > 2*110 { // and the 101 before, open
		t.Fatalf("%d owners in %d slots after the sweep, want 110 in at most 220", a.Len(), len(a.slots))
	}
	for i := 200; i < 200+n; i++ {
		want := map[bool]string{true: "curl"}[(i-200)%1000 == 0]
		for how, name := range map[string]func(int) (string, bool){"cookie": byCookie, "address": byAddr} {
			if got, ok := name(i); got != want || ok != (want != "") {
				t.Fatalf("socket %d by %s: %q, %v; want %q", i, how, got, ok, want)
			}
		}
	}
}

// A socket a check left out of its sample (sampler.RowFilter: its row as
// the poller holds it) is seen all the same when its cookie is told
// (Saw): its owner outlives openGrace; one never seen again is forgotten.
func TestAttributorSawKeepsOwnersOfSocketsLeftOut(t *testing.T) {
	a := NewAttributor(func(int32) bool { return true })
	const r = "127.0.0.1:9400"
	for i, l := range []string{"127.0.0.1:40011", "127.0.0.1:40012"} {
		c := tr(uint64(i+1), sampler.StateClose, sampler.StateSynSent, "127.0.0.1:0", r, curl, 0)
		c.Cookie = uint64(100 + i)
		a.Transition(c)
		e := tr(uint64(i+1), sampler.StateSynSent, sampler.StateEstablished, l, r, nil, 0)
		e.Cookie = c.Cookie
		a.Transition(e)
	}
	for at := time.Duration(0); at <= openGrace+10*time.Second; at += 10 * time.Second {
		a.Saw([]uint64{100}, t0.Add(at)) // the first left out of every check
		a.Sample(&sampler.Snapshot{Time: t0.Add(at)})
	}
	if a.Len() != 1 {
		t.Fatalf("%d owners after openGrace, want the one seen", a.Len())
	}
	s := sock("127.0.0.1:40011", r, sampler.StateEstablished, 0)
	s.Cookie = 100
	snap := sampler.Snapshot{Time: t0.Add(openGrace + 11*time.Second), Sockets: []sampler.Socket{s}}
	a.Sample(&snap)
	if snap.Sockets[0].Process != "curl" {
		t.Errorf("the socket seen by Saw: %+v, want curl's", snap.Sockets[0])
	}
}
