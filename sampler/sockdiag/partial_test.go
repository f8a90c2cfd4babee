package sockdiag

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/porttop/porttop/sampler"
)

func TestParseTCPCountersCaptured(t *testing.T) {
	raw := readTestdata(t, "snmp.txt")
	c, ok := parseTCPCounters(raw)
	if !ok {
		t.Fatal("parseTCPCounters refused the captured /proc/net/snmp")
	}
	// The columns found independently of the parser.
	names, values := tcpColumns(raw)
	want := map[string]uint64{"ActiveOpens": c.activeOpens, "PassiveOpens": c.passiveOpens, "CurrEstab": c.currEstab}
	for i, n := range names {
		if got, ok := want[n]; ok && values[i] != fmt.Sprint(got) {
			t.Errorf("%s = %d, the file says %s", n, got, values[i])
		}
	}
	if allocs := testing.AllocsPerRun(50, func() { parseTCPCounters(raw) }); allocs != 0 {
		t.Errorf("parseTCPCounters allocates %.0f times per call; it runs on every sample", allocs)
	}
}

func TestParseTCPCountersCases(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     tcpCounters
		ok       bool
	}{
		{"in any column order", "Ip: Forwarding\nIp: 1\nTcp: CurrEstab RtoMin PassiveOpens ActiveOpens\nTcp: 3 200 9 18446744073709551615\n",
			tcpCounters{activeOpens: 18446744073709551615, passiveOpens: 9, currEstab: 3}, true},
		{"tabs and a missing newline", "Tcp:\tActiveOpens\tPassiveOpens\tCurrEstab\nTcp:\t1\t2\t3", tcpCounters{1, 2, 3}, true},
		{"no CurrEstab", "Tcp: ActiveOpens PassiveOpens\nTcp: 5 7\n", tcpCounters{}, false},
		{"fewer values than names", "Tcp: ActiveOpens PassiveOpens CurrEstab\nTcp: 1 2\n", tcpCounters{}, false},
		{"more values than names", "Tcp: ActiveOpens PassiveOpens CurrEstab\nTcp: 1 2 3 4\n", tcpCounters{}, false},
		{"not a number", "Tcp: ActiveOpens PassiveOpens CurrEstab\nTcp: 1 x 3\n", tcpCounters{}, false},
		{"negative", "Tcp: ActiveOpens PassiveOpens CurrEstab\nTcp: 1 2 -3\n", tcpCounters{}, false},
		{"header only", "Tcp: ActiveOpens PassiveOpens CurrEstab\n", tcpCounters{}, false},
		{"empty", "", tcpCounters{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseTCPCounters([]byte(tc.in))
			if ok != tc.ok || got != tc.want {
				t.Errorf("parseTCPCounters = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// simKernel is a TCP table that keeps ActiveOpens, PassiveOpens and
// CurrEstab as Linux's tcp_set_state does, for checking partial samples
// against the truth.
type simKernel struct {
	socks      map[uint64]sampler.State
	nextCookie uint64
	counters   tcpCounters
	// oldCurrEstab: CurrEstab counts ESTABLISHED sockets only, as kernels
	// before 6.10 did; else ESTABLISHED and CLOSE_WAIT.
	oldCurrEstab bool
	// unaccepted are accepted connections no process has taken with
	// accept() yet: dumped with inode 0.
	unaccepted map[uint64]bool
	rng        *rand.Rand
}

func newSimKernel(seed uint64, oldCurrEstab bool) *simKernel {
	return &simKernel{socks: map[uint64]sampler.State{}, unaccepted: map[uint64]bool{}, oldCurrEstab: oldCurrEstab, rng: rand.New(rand.NewPCG(seed, 1))}
}

// counted reports whether CurrEstab counts a socket in state s.
func (k *simKernel) counted(s sampler.State) bool {
	return s == sampler.StateEstablished || (s == sampler.StateCloseWait && !k.oldCurrEstab)
}

// set moves a socket to a state (StateNone: gone), keeping CurrEstab.
func (k *simKernel) set(c uint64, to sampler.State) {
	from, had := k.socks[c]
	if had && k.counted(from) && !k.counted(to) {
		k.counters.currEstab--
	}
	if (!had || !k.counted(from)) && k.counted(to) {
		k.counters.currEstab++
	}
	if to == sampler.StateNone {
		delete(k.socks, c)
		return
	}
	k.socks[c] = to
}

func (k *simKernel) newSocket(s sampler.State) uint64 {
	k.nextCookie++
	k.set(k.nextCookie, s)
	return k.nextCookie
}

// step makes one random change, the kinds weighted so that most steps
// change nothing the counters see (traffic on established connections).
func (k *simKernel) step() string {
	cookies := slices.Sorted(func(yield func(uint64) bool) {
		for c := range k.socks {
			if !yield(c) {
				return
			}
		}
	})
	pick := func(states ...sampler.State) (uint64, bool) {
		var in []uint64
		for _, c := range cookies {
			if slices.Contains(states, k.socks[c]) {
				in = append(in, c)
			}
		}
		if len(in) == 0 {
			return 0, false
		}
		return in[k.rng.IntN(len(in))], true
	}
	E, SS, SR, FW1, FW2, TW, CW, LA, L := sampler.StateEstablished, sampler.StateSynSent, sampler.StateSynRecv,
		sampler.StateFinWait1, sampler.StateFinWait2, sampler.StateTimeWait, sampler.StateCloseWait, sampler.StateLastAck, sampler.StateListen
	switch k.rng.IntN(18) {
	case 0:
		k.newSocket(SS)
		k.counters.activeOpens++
		return "connect"
	case 1:
		k.newSocket(E)
		k.counters.passiveOpens++
		return "accept"
	case 2:
		k.newSocket(SR) // a request socket: counted when its child is made
		return "syn received"
	case 3:
		if c, ok := pick(SS, SR); ok {
			k.set(c, E)
			return "handshake done"
		}
	case 4:
		if c, ok := pick(E); ok {
			k.set(c, FW1)
			return "close"
		}
	case 5:
		if c, ok := pick(E); ok {
			k.set(c, CW)
			return "peer closed"
		}
	case 6:
		if c, ok := pick(E, CW, SS, SR, FW1, LA, TW); ok {
			k.set(c, sampler.StateNone)
			return "reset or expired"
		}
	case 7:
		if c, ok := pick(FW1); ok {
			k.set(c, FW2)
			return "fin acked"
		}
	case 8:
		if c, ok := pick(FW2); ok {
			k.set(c, TW)
			return "time wait"
		}
	case 9:
		if c, ok := pick(CW); ok {
			k.set(c, LA)
			return "last ack"
		}
	case 10:
		k.newSocket(L)
		return "listen"
	case 11:
		k.unaccepted[k.newSocket(E)] = true
		k.counters.passiveOpens++
		return "connection waiting for accept()"
	case 12:
		for _, c := range cookies {
			if k.unaccepted[c] {
				delete(k.unaccepted, c) // no counter moves
				return "accept()"
			}
		}
	}
	return "traffic"
}

// dump is the table as sockets, in cookie order; without ESTABLISHED
// sockets when partial.
func (k *simKernel) dump(partial bool) []sampler.Socket {
	var out []sampler.Socket
	for c, st := range k.socks {
		if partial && st == sampler.StateEstablished {
			continue
		}
		s := simSocket(c, st)
		if k.unaccepted[c] {
			s.Inode = 0
		}
		out = append(out, s)
	}
	return sortByCookie(out)
}

func simSocket(c uint64, st sampler.State) sampler.Socket {
	return sampler.Socket{
		ID: sampler.ID{Cookie: c, Proto: sampler.TCP,
			Local:  netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(c)),
			Remote: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 80)},
		State: st,
		Owner: sampler.Owner{UID: int32(c % 3)},
		Inode: uint32(c + 1000),
	}
}

func sortByCookie(s []sampler.Socket) []sampler.Socket {
	slices.SortFunc(s, func(a, b sampler.Socket) int { return int(a.Cookie) - int(b.Cookie) })
	return s
}

// TestCarryEstablishedMatchesTheTruth drives a simulated kernel through
// random changes and, after each batch of them, does what Sample does: a
// partial sample when no socket opened since the last full one, else a full
// one. Every partial sample carryEstablished accepts must equal the true
// table; and when nothing but traffic happened it must accept.
func TestCarryEstablishedMatchesTheTruth(t *testing.T) {
	for _, old := range []bool{false, true} {
		for seed := range uint64(40) {
			checkCarryAgainstTruth(t, newSimKernel(seed, old))
		}
	}
}

func checkCarryAgainstTruth(t *testing.T, k *simKernel) {
	t.Helper()
	for range 30 {
		k.newSocket(sampler.StateEstablished)
		k.counters.passiveOpens++
	}
	var counting closeWaitCounting
	var prev *keptSample
	ref := k.counters
	refOK := false
	// prev is what keepTCP keeps of a sample.
	keep := keptOf
	full := func(truth []sampler.Socket) {
		prev, ref = keep(truth), k.counters
		counting, refOK = calibrate(truth, k.counters.currEstab, counting, map[uint64]struct{}{})
		if !refOK {
			t.Fatalf("old CurrEstab %v: calibrate refused the true table", k.oldCurrEstab)
		}
	}
	full(k.dump(false))
	seen := map[uint64]struct{}{}
	var accepted, quietRounds int
	for round := range 300 {
		var did []string
		for range k.rng.IntN(3) {
			did = append(did, k.step())
		}
		quiet := !slices.ContainsFunc(did, func(s string) bool { return s != "traffic" })
		truth := k.dump(false)
		if !k.counters.sameOpens(ref) || !refOK {
			full(truth)
			continue
		}
		partial := k.dump(true)
		got, ok := carryEstablished(partial, prev, k.counters.currEstab, counting, seen)
		// A quiet round must give a partial sample, unless the kernel's
		// way of counting CLOSE_WAIT is not known yet or a connection
		// waits for accept() (its inode is yet to come).
		if quiet && len(k.unaccepted) == 0 && (counting != closeWaitUnknown || !slices.ContainsFunc(partial, func(s sampler.Socket) bool { return s.State == sampler.StateCloseWait })) {
			quietRounds++
			if !ok {
				t.Fatalf("old CurrEstab %v, round %d: nothing changed but carryEstablished refused", k.oldCurrEstab, round)
			}
		}
		if !ok {
			full(truth)
			continue
		}
		accepted++
		if got = sortByCookie(got); !slices.Equal(got, truth) {
			t.Fatalf("old CurrEstab %v, round %d after %v: the partial sample differs from the table:\n%s", k.oldCurrEstab, round, did, tableDiff(got, truth))
		}
		prev = keep(got)
	}
	if accepted < quietRounds || accepted == 0 {
		t.Errorf("old CurrEstab %v: only %d of 300 samples partial (%d quiet rounds)", k.oldCurrEstab, accepted, quietRounds)
	}
}

func TestCarryEstablishedRefuses(t *testing.T) {
	E, CW, TW := sampler.StateEstablished, sampler.StateCloseWait, sampler.StateTimeWait
	sock := simSocket
	for _, tc := range []struct {
		name          string
		partial, prev []sampler.Socket
		currEstab     uint64
		counting      closeWaitCounting // unknown means counted here, but for the cases that say
		want          []sampler.Socket  // nil: refused
	}{
		{"all still established", []sampler.Socket{sock(3, TW)}, []sampler.Socket{sock(1, E), sock(2, E), sock(3, TW)}, 2, 0,
			[]sampler.Socket{sock(1, E), sock(2, E), sock(3, TW)}},
		{"one of two went away", nil, []sampler.Socket{sock(1, E), sock(2, E)}, 1, 0, nil},
		{"CurrEstab counts more than can be there", nil, []sampler.Socket{sock(1, E)}, 2, 0, nil},
		{"close-wait counts in CurrEstab", []sampler.Socket{sock(2, CW)}, []sampler.Socket{sock(1, E), sock(2, E)}, 2, 0,
			[]sampler.Socket{sock(1, E), sock(2, CW)}},
		{"close-wait not counted by an older kernel", []sampler.Socket{sock(2, CW)}, []sampler.Socket{sock(1, E), sock(2, E)}, 1, closeWaitNotCounted,
			[]sampler.Socket{sock(1, E), sock(2, CW)}},
		{"close-wait present, how it counts not known yet", []sampler.Socket{sock(2, CW)}, []sampler.Socket{sock(1, E), sock(2, E)}, 2, closeWaitUnknown, nil},
		{"more close-wait than CurrEstab", []sampler.Socket{sock(2, CW)}, nil, 0, 0, nil},
		{"a partial dump holding an established socket", []sampler.Socket{sock(2, E)}, nil, 1, 0, nil},
		{"a socket without a cookie", []sampler.Socket{sock(0, TW)}, nil, 0, 0, nil},
		{"a previous row without a cookie", nil, []sampler.Socket{sock(0, E)}, 1, 0, nil},
		{"a previous row twice is carried once", nil, []sampler.Socket{sock(1, E), sock(1, E)}, 1, 0, []sampler.Socket{sock(1, E)}},
		{"a previous row twice, another skipped by the dump", nil, []sampler.Socket{sock(1, E), sock(1, E)}, 2, 0, nil},
		{"a SYN_SENT socket missing: handshake done or died", nil, []sampler.Socket{sock(1, E), sock(2, sampler.StateSynSent)}, 2, 0, nil},
		{"a SYN_RECV socket missing", nil, []sampler.Socket{sock(1, E), sock(2, sampler.StateSynRecv)}, 1, 0, nil},
		{"a SYN_SENT socket still in the dump", []sampler.Socket{sock(2, sampler.StateSynSent)}, []sampler.Socket{sock(1, E), sock(2, sampler.StateSynSent)}, 1, 0,
			[]sampler.Socket{sock(1, E), sock(2, sampler.StateSynSent)}},
		{"a candidate dumped before accept(), inode 0", nil, []sampler.Socket{sock(1, E), unaccepted(2)}, 2, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counting := tc.counting
			if counting == closeWaitUnknown && !strings.Contains(tc.name, "not known") {
				counting = closeWaitCounted
			}
			got, ok := carryEstablished(slices.Clone(tc.partial), keptOf(tc.prev), tc.currEstab, counting, map[uint64]struct{}{})
			if ok != (tc.want != nil) {
				t.Fatalf("carryEstablished ok = %v, want %v (got %v)", ok, tc.want != nil, got)
			}
			if ok && !slices.Equal(sortByCookie(got), tc.want) {
				t.Errorf("carryEstablished = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCarriedRowsAreAsDumped(t *testing.T) {
	p := simSocket(7, sampler.StateEstablished)
	p.PID, p.Process = 42, "curl" // attribution is redone on every sample
	p.Since = sampler.StampOf(t0)
	got, ok := carryEstablished(nil, keptOf([]sampler.Socket{p}), 1, closeWaitCounted, map[uint64]struct{}{})
	want := simSocket(7, sampler.StateEstablished)
	if !ok || len(got) != 1 || got[0] != want {
		t.Fatalf("carried %v (ok %v), want %v", got, ok, want)
	}
}

// keptOf is what keepTCP keeps of rows.
func keptOf(rows []sampler.Socket) *keptSample {
	var k keptSample
	k.keep(rows)
	return &k
}

// The kept rows are read where the sample's caller holds them, as they
// were dumped: the uid the caller changed since is the dump's again; a
// row it dropped (the rows after it move up) or wrote another socket over
// makes the sample full; so does nothing kept.
func TestKeptRowsAreReadAsDumpedOrRefused(t *testing.T) {
	E := sampler.StateEstablished
	rows := []sampler.Socket{simSocket(1, E), simSocket(2, E), simSocket(3, sampler.StateTimeWait)}
	k := keptOf(rows)
	rows[0].UID, rows[0].PID = 4242, 7
	got, ok := carryEstablished(nil, k, 2, closeWaitCounted, map[uint64]struct{}{})
	if want := []sampler.Socket{simSocket(1, E), simSocket(2, E)}; !ok || !slices.Equal(sortByCookie(got), want) {
		t.Errorf("stamped rows: carried %v (ok %v), want %v", got, ok, want)
	}
	_ = slices.Delete(rows, 0, 1) // a release said 1 was gone
	if got, ok := carryEstablished(nil, k, 1, closeWaitCounted, map[uint64]struct{}{}); ok {
		t.Errorf("a row dropped: carried %v, want a refusal", got)
	}
	rows = []sampler.Socket{simSocket(1, E), simSocket(2, E)}
	k = keptOf(rows)
	rows[1] = simSocket(9, E) // the caller put another socket there
	if got, ok := carryEstablished(nil, k, 2, closeWaitCounted, map[uint64]struct{}{}); ok {
		t.Errorf("a row written over: carried %v, want a refusal", got)
	}
	var none keptSample
	if got, ok := carryEstablished(nil, &none, 0, closeWaitCounted, map[uint64]struct{}{}); ok {
		t.Errorf("nothing kept: carried %v, want a refusal", got)
	}
}

// What keepTCP keeps of a check's whole table is made at its size, in one
// allocation, not grown through every size on the way: under the ebpf
// source it is made anew at each check (the rounds between read UDP
// alone), while the check's two tables are alive.
func TestKeptRowsAreMadeAtTheirCount(t *testing.T) {
	const n = 100_000
	rows := make([]sampler.Socket, n)
	for i := range rows {
		state := sampler.StateEstablished
		if i%5 == 0 {
			state = sampler.StateTimeWait
		}
		rows[i] = simSocket(uint64(i+1), state)
	}
	var k keptSample
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	k.keep(rows)
	runtime.ReadMemStats(&after)
	want := n - n/5
	if len(k.at) != want {
		t.Fatalf("kept %d rows, want %d", len(k.at), want)
	}
	// The allocator rounds a size up to its size class.
	size := uint64(want) * uint64(unsafe.Sizeof(keptRow{}))
	if got := after.TotalAlloc - before.TotalAlloc; got > size+size/64 {
		t.Errorf("keeping %d rows allocated %d bytes, want about %d (once, at their count)", want, got, size)
	}
}

// tableDiff lists the rows only in got (-) or only in want (+).
func tableDiff(got, want []sampler.Socket) string {
	var b strings.Builder
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "- cookie %d %s uid %d inode %d\n", g.Cookie, g.State, g.UID, g.Inode)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "+ cookie %d %s uid %d inode %d\n", w.Cookie, w.State, w.UID, w.Inode)
		}
	}
	return b.String()
}

func TestCalibrate(t *testing.T) {
	E, CW, TW := sampler.StateEstablished, sampler.StateCloseWait, sampler.StateTimeWait
	udp := simSocket(9, sampler.StateEstablished)
	udp.Proto = sampler.UDP // connected UDP: not TCP, never counted
	table := []sampler.Socket{simSocket(1, E), simSocket(2, E), simSocket(3, CW), simSocket(4, TW), udp}
	noCW := []sampler.Socket{simSocket(1, E), simSocket(4, TW), udp}
	repeated := []sampler.Socket{simSocket(1, E), simSocket(1, E), simSocket(2, E), simSocket(3, CW)}
	for _, tc := range []struct {
		name      string
		socks     []sampler.Socket
		currEstab uint64
		known     closeWaitCounting
		want      closeWaitCounting
		ok        bool
	}{
		{"a kernel counting close-wait", table, 3, closeWaitUnknown, closeWaitCounted, true},
		{"an older kernel", table, 2, closeWaitUnknown, closeWaitNotCounted, true},
		{"neither", table, 4, closeWaitCounted, closeWaitCounted, false},
		{"no close-wait: cannot tell, keeps what it knew", noCW, 1, closeWaitNotCounted, closeWaitNotCounted, true},
		{"no close-wait, disagreeing", noCW, 2, closeWaitUnknown, closeWaitUnknown, false},
		// A dump that repeated row 1 reads like an older kernel's count of
		// a kernel that counts CLOSE_WAIT: not learnt from.
		{"a repeated row does not teach", repeated, 3, closeWaitCounted, closeWaitCounted, false},
		{"a repeated row, nothing new learnt", repeated, 4, closeWaitCounted, closeWaitCounted, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := calibrate(tc.socks, tc.currEstab, tc.known, map[uint64]struct{}{})
			if got != tc.want || ok != tc.ok {
				t.Errorf("calibrate = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// unaccepted is an ESTABLISHED socket dumped before any process accept()ed
// it: no inode yet.
func unaccepted(c uint64) sampler.Socket {
	s := simSocket(c, sampler.StateEstablished)
	s.Inode = 0
	return s
}

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
