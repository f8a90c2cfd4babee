package sockdiag

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// The Source against a scripted kernel (fakekernel_test.go), on any OS: the
// requests each query plans, what a sample makes of the replies, and what
// it does when the kernel refuses, interrupts or cuts a dump short.

// Linux's errno numbers the fake kernel answers with (see conn.go).
const (
	errnoEPERM   = syscall.Errno(1)
	errnoENOENT  = syscall.Errno(2)
	errnoENOBUFS = syscall.Errno(105)
)

// fakeTable is a small table: TCP of both families in several states, and
// UDP.
func fakeTable(t *testing.T) []fakeSock {
	return []fakeSock{
		tcp4(t, sampler.StateListen, "127.0.0.1:80", "0.0.0.0:0", 1),
		tcp4(t, sampler.StateEstablished, "127.0.0.1:80", "127.0.0.1:40000", 2),
		tcp4(t, sampler.StateEstablished, "127.0.0.1:40000", "127.0.0.1:80", 3),
		tcp6(t, sampler.StateListen, "[::1]:443", "[::]:0", 4),
		tcp6(t, sampler.StateTimeWait, "[::1]:41000", "[::1]:443", 5),
		tcp4(t, sampler.StateCloseWait, "127.0.0.1:8080", "127.0.0.1:42000", 6),
		udp4(t, "127.0.0.1:53", 7),
	}
}

func sample(t *testing.T, s *Source) []sampler.Socket {
	t.Helper()
	snap, err := s.Sample(context.Background())
	if err != nil {
		t.Fatalf("Sample: %v", err)
	}
	return snap.Sockets
}

// cookies are a table's cookies, sorted.
func cookies(socks []sampler.Socket) []uint64 {
	out := make([]uint64, len(socks))
	for i := range socks {
		out[i] = socks[i].Cookie
	}
	slices.Sort(out)
	return out
}

// describe shows requests as the kernel got them, one per line.
func describe(reqs []fakeRequest) string {
	var b strings.Builder
	for _, r := range reqs {
		kind := "by-family"
		if r.Type == tcpDiagGetSock {
			kind = "tcpdiag"
		}
		fmt.Fprintf(&b, "%s family=%d proto=%d states=%#x bytecode=%v\n", kind, r.Family, r.Protocol, r.States, len(r.Bytecode) > 0)
	}
	return b.String()
}

func TestOpenProbesWithOneListenerDump(t *testing.T) {
	k := newFakeKernel(t, fakeTable(t)...)
	k.mustSource(t.TempDir())
	want := "by-family family=2 proto=6 states=0x400 bytecode=false\n"
	if got := describe(k.requests); got != want {
		t.Errorf("probe requests:\n%s\nwant:\n%s", got, want)
	}
}

func TestOpenFailsWhenTheKernelDoesNotAnswer(t *testing.T) {
	k := newFakeKernel(t)
	k.refuse = func(fakeRequest) syscall.Errno { return errnoEPERM }
	if _, err := k.source(t.TempDir()); !errors.Is(err, errnoEPERM) || !strings.Contains(err.Error(), "does not answer") {
		t.Errorf("Open on a kernel refusing everything: %v, want EPERM, said as not answering", err)
	}
	if k.open != 0 {
		t.Errorf("%d sockets left open after a failed Open", k.open)
	}
	k = newFakeKernel(t)
	k.dialErr = errors.New("no netlink here")
	if _, err := k.source(t.TempDir()); err == nil || err.Error() != "no netlink here" {
		t.Errorf("Open when the dial fails: %v", err)
	}
}

// Each query's plan, as the kernel sees it: one TCPDIAG_GETSOCK for TCP of
// both families, one UDP dump per family; states and ports narrowed in the
// request; and what comes back is what the kernel matched.
func TestDumpPlansAsTheKernelSeesThem(t *testing.T) {
	const all = uint32(sampler.AllStates)
	tcpdiag := func(states uint32, bc bool) string {
		return fmt.Sprintf("tcpdiag family=0 proto=6 states=%#x bytecode=%v\n", states, bc)
	}
	udp := func(bc bool) string {
		return fmt.Sprintf("by-family family=2 proto=17 states=0xffffffff bytecode=%v\nby-family family=10 proto=17 states=0xffffffff bytecode=%v\n", bc, bc)
	}
	for _, c := range []struct {
		name    string
		q       sampler.Query
		plan    string
		cookies []uint64
	}{
		{"everything", sampler.Query{}, tcpdiag(all, false) + udp(false), []uint64{1, 2, 3, 4, 5, 6, 7}},
		{"tcp", sampler.Query{Protos: []sampler.Proto{sampler.TCP}}, tcpdiag(all, false), []uint64{1, 2, 3, 4, 5, 6}},
		{"udp", sampler.Query{Protos: []sampler.Proto{sampler.UDP}}, udp(false), []uint64{7}},
		{"listeners", sampler.Query{States: sampler.MaskOf(sampler.StateListen)}, tcpdiag(1<<sampler.StateListen, false), []uint64{1, 4}},
		{"listeners and udp", sampler.Query{States: sampler.MaskOf(sampler.StateListen) | sampler.MaskOf(sampler.StateNone)},
			tcpdiag(1<<sampler.StateListen, false) + udp(false), []uint64{1, 4, 7}},
		{"port 80", sampler.Query{Ports: []sampler.PortRange{{Lo: 80, Hi: 80}}}, tcpdiag(all, true) + udp(true), []uint64{1, 2, 3}},
		{"ports 443-8080 tcp", sampler.Query{Protos: []sampler.Proto{sampler.TCP}, Ports: []sampler.PortRange{{Lo: 443, Hi: 8080}}},
			tcpdiag(all, true), []uint64{4, 5, 6}},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := newFakeKernel(t, fakeTable(t)...)
			s := k.mustSource(t.TempDir())
			s.SetQuery(c.q)
			n := len(k.requests)
			socks := sample(t, s)
			if got := describe(k.since(n)); got != c.plan {
				t.Errorf("requests:\n%s\nwant:\n%s", got, c.plan)
			}
			if got := cookies(socks); !slices.Equal(got, c.cookies) {
				t.Errorf("sampled cookies %v, want %v", got, c.cookies)
			}
		})
	}
}

// A sample converts the kernel's rows (UDP without state, TIME_WAIT
// without uid) and has owners attributed, whether a dump comes in one
// datagram or one per socket.
func TestSampleReadsEveryDatagramOfADump(t *testing.T) {
	for _, per := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("per-datagram=%d", per), func(t *testing.T) {
			k := newFakeKernel(t, fakeTable(t)...)
			k.perDatagram = per
			s := k.mustSource(t.TempDir())
			socks := sample(t, s)
			if got := cookies(socks); !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 6, 7}) {
				t.Fatalf("sampled cookies %v", got)
			}
			for _, sock := range socks {
				wantState, wantUID := sampler.State(k.table[sock.Cookie-1].State), int32(1000)
				switch sock.Cookie {
				case 5:
					wantUID = -1 // TIME_WAIT: no owner left
				case 7:
					wantState = sampler.StateNone // UDP
				}
				if sock.State != wantState || sock.UID != wantUID || uint64(sock.Inode) != sock.Cookie || sock.PID != int32(4000+sock.Cookie) {
					t.Errorf("socket %d: state %v uid %d inode %d pid %d, want %v %d %d %d",
						sock.Cookie, sock.State, sock.UID, sock.Inode, sock.PID, wantState, wantUID, sock.Cookie, 4000+sock.Cookie)
				}
			}
			if calls := s.owners.(*fakeOwners).calls; calls != 1 {
				t.Errorf("owners attributed %d times in one sample", calls)
			}
		})
	}
}

// Replies left over from a dump given up on (another sequence number) are
// skipped, not taken for the new dump's.
func TestStaleRepliesAreSkipped(t *testing.T) {
	k := newFakeKernel(t, fakeTable(t)...)
	stale := tcp4(t, sampler.StateEstablished, "10.0.0.1:1", "10.0.0.2:2", 99)
	k.mangle = func(r fakeRequest, dgrams [][]byte) [][]byte {
		old := append(msg(r.Type, nlmFMulti, r.Seq-1, stale.payload()), msg(nlmsgDone, nlmFMulti, r.Seq-1, errPayload(0))...)
		return append([][]byte{old}, dgrams...)
	}
	s := k.mustSource(t.TempDir())
	if got := cookies(sample(t, s)); !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("sampled cookies %v, want the table without the stale 99", got)
	}
}

// A kernel without TCPDIAG_GETSOCK (EOPNOTSUPP, or EINVAL) gets a TCP dump
// per family from then on; one refusing the port bytecode (EINVAL) gets
// dumps without it, ports left to porttop, which says so in Notes.
func TestRefusedRequestsAreReplanned(t *testing.T) {
	perFamily := "by-family family=2 proto=6 states=0x1fff bytecode=%[1]v\nby-family family=10 proto=6 states=0x1fff bytecode=%[1]v\n" +
		"by-family family=2 proto=17 states=0xffffffff bytecode=%[1]v\nby-family family=10 proto=17 states=0xffffffff bytecode=%[1]v\n"
	for _, c := range []struct {
		name   string
		q      sampler.Query
		refuse func(fakeRequest) syscall.Errno
		// first is the first sample's requests (with the refused ones);
		// then is every later sample's.
		first, then string
		cookies     []uint64
		note        bool
	}{
		{
			name: "two-family dump, EOPNOTSUPP",
			refuse: func(r fakeRequest) syscall.Errno {
				if r.Type == tcpDiagGetSock {
					return errnoEOPNOTSUPP
				}
				return 0
			},
			first:   "tcpdiag family=0 proto=6 states=0x1fff bytecode=false\n" + fmt.Sprintf(perFamily, false),
			then:    fmt.Sprintf(perFamily, false),
			cookies: []uint64{1, 2, 3, 4, 5, 6, 7},
		},
		{
			name: "two-family dump, EINVAL",
			refuse: func(r fakeRequest) syscall.Errno {
				if r.Type == tcpDiagGetSock {
					return errnoEINVAL
				}
				return 0
			},
			first:   "tcpdiag family=0 proto=6 states=0x1fff bytecode=false\n" + fmt.Sprintf(perFamily, false),
			then:    fmt.Sprintf(perFamily, false),
			cookies: []uint64{1, 2, 3, 4, 5, 6, 7},
		},
		{
			name: "bytecode, EINVAL",
			q:    sampler.Query{Ports: []sampler.PortRange{{Lo: 80, Hi: 80}}},
			refuse: func(r fakeRequest) syscall.Errno {
				if len(r.Bytecode) > 0 {
					return errnoEINVAL
				}
				return 0
			},
			first: "tcpdiag family=0 proto=6 states=0x1fff bytecode=true\n" +
				"tcpdiag family=0 proto=6 states=0x1fff bytecode=false\n" +
				"by-family family=2 proto=17 states=0xffffffff bytecode=false\nby-family family=10 proto=17 states=0xffffffff bytecode=false\n",
			then: "tcpdiag family=0 proto=6 states=0x1fff bytecode=false\n" +
				"by-family family=2 proto=17 states=0xffffffff bytecode=false\nby-family family=10 proto=17 states=0xffffffff bytecode=false\n",
			cookies: []uint64{1, 2, 3, 4, 5, 6, 7}, // every port: the consumer filters
			note:    true,
		},
		{
			name: "both, EOPNOTSUPP then EINVAL",
			q:    sampler.Query{Ports: []sampler.PortRange{{Lo: 80, Hi: 80}}},
			refuse: func(r fakeRequest) syscall.Errno {
				switch {
				case r.Type == tcpDiagGetSock:
					return errnoEOPNOTSUPP
				case len(r.Bytecode) > 0:
					return errnoEINVAL
				}
				return 0
			},
			first: "tcpdiag family=0 proto=6 states=0x1fff bytecode=true\n" +
				"by-family family=2 proto=6 states=0x1fff bytecode=true\n" + fmt.Sprintf(perFamily, false),
			then:    fmt.Sprintf(perFamily, false),
			cookies: []uint64{1, 2, 3, 4, 5, 6, 7},
			note:    true,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := newFakeKernel(t, fakeTable(t)...)
			s := k.mustSource(t.TempDir())
			k.refuse = c.refuse
			s.SetQuery(c.q)
			n := len(k.requests)
			socks := sample(t, s)
			if got := describe(k.since(n)); got != c.first {
				t.Errorf("first sample's requests:\n%s\nwant:\n%s", got, c.first)
			}
			if got := cookies(socks); !slices.Equal(got, c.cookies) {
				t.Errorf("sampled cookies %v, want %v", got, c.cookies)
			}
			n = len(k.requests)
			sample(t, s)
			if got := describe(k.since(n)); got != c.then {
				t.Errorf("next sample's requests:\n%s\nwant:\n%s", got, c.then)
			}
			notes := s.Notes()
			if has := len(notes) == 1 && strings.Contains(notes[0], "port filter"); has != c.note {
				t.Errorf("notes %q, want a port filter note: %v", notes, c.note)
			}
			if k.dials != 1 {
				t.Errorf("%d dials: a refusal is the kernel's answer, the socket stays", k.dials)
			}
		})
	}
}

// Refusals nothing can be dropped for fail the sample with the kernel's
// errno, keep the socket, and leave the plan as it was: EPERM (a security
// module), ENOENT (no udp_diag module), an error in NLMSG_DONE.
func TestRefusalsThatCannotBeReplannedFailTheSample(t *testing.T) {
	for _, c := range []struct {
		name  string
		errno syscall.Errno
		// refuse the UDP dumps with an NLMSG_ERROR; else fail the TCP
		// dump's NLMSG_DONE.
		udp bool
	}{
		{"EPERM", errnoEPERM, true},
		{"ENOENT", errnoENOENT, true},
		{"done with ENOBUFS", errnoENOBUFS, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := newFakeKernel(t, fakeTable(t)...)
			s := k.mustSource(t.TempDir())
			if c.udp {
				k.refuse = func(r fakeRequest) syscall.Errno {
					if r.Protocol == ipprotoUDP {
						return c.errno
					}
					return 0
				}
			} else {
				k.mangle = func(r fakeRequest, dgrams [][]byte) [][]byte {
					if r.Type != tcpDiagGetSock {
						return dgrams
					}
					return [][]byte{msg(nlmsgDone, nlmFMulti, r.Seq, errPayload(int32(c.errno)))}
				}
			}
			n := len(k.requests)
			_, err := s.Sample(context.Background())
			if !errors.Is(err, c.errno) {
				t.Fatalf("Sample: %v, want errno %d", err, c.errno)
			}
			want := "tcpdiag family=0 proto=6 states=0x1fff bytecode=false\n"
			if c.udp {
				want += "by-family family=2 proto=17 states=0xffffffff bytecode=false\n"
			}
			if got := describe(k.since(n)); got != want {
				t.Errorf("requests:\n%s\nwant (no replan, no retry):\n%s", got, want)
			}
			k.refuse, k.mangle = nil, nil
			if got := cookies(sample(t, s)); len(got) != 7 {
				t.Errorf("once the kernel answers: %v", got)
			}
			if k.dials != 1 || k.open != 1 {
				t.Errorf("%d dials, %d open: a refusal is the kernel's answer, the socket stays", k.dials, k.open)
			}
		})
	}
}

// A reply cut short, or a socket that stops answering, is not the kernel's
// answer: the socket may hold the rest of a broken dump, so it is closed
// and the next sample dials afresh. Nothing of the broken dump is kept.
func TestBrokenDumpsRedial(t *testing.T) {
	for _, c := range []struct {
		name   string
		mangle func(r fakeRequest, dgrams [][]byte) [][]byte
		err    string
	}{
		{"datagram cut mid-message", func(r fakeRequest, dgrams [][]byte) [][]byte {
			dgrams[0] = dgrams[0][:len(dgrams[0])-10]
			return dgrams
		}, "outside"},
		{"header cut short", func(r fakeRequest, dgrams [][]byte) [][]byte {
			return [][]byte{dgrams[0][:nlmsgHdrLen-4]}
		}, "truncated netlink header"},
		{"row cut short", func(r fakeRequest, dgrams [][]byte) [][]byte {
			return [][]byte{msg(r.Type, nlmFMulti, r.Seq, make([]byte, diagMsgLen/2))}
		}, "truncated inet_diag_msg"},
		{"no NLMSG_DONE", func(r fakeRequest, dgrams [][]byte) [][]byte {
			last := dgrams[len(dgrams)-1]
			return append(dgrams[:len(dgrams)-1], last[:len(last)-align4(nlmsgHdrLen+4)])
		}, "nothing to read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := newFakeKernel(t, fakeTable(t)...)
			k.perDatagram = 2
			s := k.mustSource(t.TempDir())
			k.mangle = func(r fakeRequest, dgrams [][]byte) [][]byte {
				if r.Type != tcpDiagGetSock {
					return dgrams
				}
				return c.mangle(r, dgrams)
			}
			_, err := s.Sample(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("Sample: %v, want %q", err, c.err)
			}
			if k.open != 0 {
				t.Errorf("after a broken dump %d sockets open, want the broken one closed", k.open)
			}
			k.mangle = nil
			if got := cookies(sample(t, s)); len(got) != 7 {
				t.Errorf("the sample after: %v", got)
			}
			if k.dials != 2 || k.open != 1 {
				t.Errorf("%d dials, %d open; want a second dial, one open", k.dials, k.open)
			}
		})
	}
}

// A dump the kernel flags NLM_F_DUMP_INTR (the table changed under it) is
// made again, up to maxDumpRetries times; its rows are not kept twice.
func TestInterruptedDumpsAreRetried(t *testing.T) {
	flagged := func(times int) func(r fakeRequest, dgrams [][]byte) [][]byte {
		left := times
		return func(r fakeRequest, dgrams [][]byte) [][]byte {
			if r.Type != tcpDiagGetSock || left == 0 {
				return dgrams
			}
			left--
			d := dgrams[0]
			order.PutUint16(d[6:8], order.Uint16(d[6:8])|nlmFDumpIntr)
			return dgrams
		}
	}
	k := newFakeKernel(t, fakeTable(t)...)
	s := k.mustSource(t.TempDir())
	k.mangle = flagged(maxDumpRetries)
	n := len(k.requests)
	if got := cookies(sample(t, s)); !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("after %d interrupted dumps: %v", maxDumpRetries, got)
	}
	if got := len(k.since(n)); got != maxDumpRetries+1+2 {
		t.Errorf("%d requests, want %d TCP tries and 2 UDP dumps:\n%s", got, maxDumpRetries+1, describe(k.since(n)))
	}

	k.mangle = flagged(maxDumpRetries + 1)
	_, err := s.Sample(context.Background())
	if !errors.Is(err, errInterrupted) || !strings.Contains(err.Error(), fmt.Sprintf("%d times in a row", maxDumpRetries+1)) {
		t.Errorf("always interrupted: %v", err)
	}
	if k.dials != 1 {
		t.Errorf("%d dials: an interrupted dump is complete, the socket stays", k.dials)
	}
}

func TestLearnRefusalReplans(t *testing.T) {
	s := &Source{query: sampler.Query{Ports: []sampler.PortRange{{Lo: 80, Hi: 80}}}}
	s.plan = planFor(s.query, s.refused)
	wrap := func(e error) error { return fmt.Errorf("sock_diag dump: %w", e) }
	if !s.learnRefusal(wrap(errnoEOPNOTSUPP)) || !s.refused.compat || s.plan[0].family != afInet {
		t.Fatalf("EOPNOTSUPP for the two-family dump: refused %+v plan[0] family %d", s.refused, s.plan[0].family)
	}
	if !s.learnRefusal(wrap(errnoEINVAL)) || !s.refused.bytecode || s.plan[0].bytecode != nil {
		t.Fatalf("EINVAL with bytecode: refused %+v", s.refused)
	}
	if s.learnRefusal(wrap(errnoEINVAL)) || s.learnRefusal(wrap(errnoEPERM)) {
		t.Error("nothing left to drop, yet a retry was offered")
	}
	if notes := s.Notes(); len(notes) != 1 || !strings.Contains(notes[0], "port filter") {
		t.Errorf("notes %q", notes)
	}
}

// A whole table after samples narrowed to UDP (the ebpf source's ticks
// between its checks) is read into a slice sized by the last whole
// table, not by the UDP sample's rows (which made it grow by appends, a
// few rows to 100k, each size a copy), and a UDP sample after it is sized
// by the last UDP sample's.
func TestWholeSampleSizedByTheLastWhole(t *testing.T) {
	k := bigFakeKernel(t)
	s := k.mustSource(t.TempDir())
	whole := len(sample(t, s))
	want := whole + whole/8 + 16
	s.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.UDP}})
	udp := len(sample(t, s))
	if udp == 0 || udp >= whole {
		t.Fatalf("a UDP sample of %d rows out of %d", udp, whole)
	}
	s.SetQuery(sampler.Query{})
	if got := cap(sample(t, s)); got != want {
		t.Errorf("a whole table of %d rows after a UDP sample read into a slice for %d, want %d (sized by the last whole table)", whole, got, want)
	}
	s.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.UDP}})
	if got, w := cap(sample(t, s)), udp+udp/8+16; got != w {
		t.Errorf("a UDP sample of %d rows after a whole table read into a slice for %d, want %d", udp, got, w)
	}
}

// The first sample, with no last one to go by, is read into a slice
// sized by the namespace's sockstat counts (hashed and TIME_WAIT sockets),
// not grown by appends from a few rows.
func TestFirstSampleSizedBySockstat(t *testing.T) {
	k := bigFakeKernel(t)
	proc := newFakeProcfs(t)
	proc.counters(t, 10, 20, 2000) // TCP inuse 2000, UDP 1, TCP6 1
	s := k.mustSource(string(proc))
	got := sample(t, s)
	est := 2000 + 1 + 1
	if want := est + est/8 + 16; len(got) > want || cap(got) != want {
		t.Errorf("the first sample of %d rows read into a slice for %d, want %d (sockstat's %d sockets)", len(got), cap(got), want, est)
	}
}

// bigFakeKernel is a fake kernel holding fakeTable and 2,000 established
// connections, 300 rows a datagram: a table read in several datagrams.
func bigFakeKernel(t *testing.T) *fakeKernel {
	t.Helper()
	table := fakeTable(t)
	for i := range 2000 {
		port := strconv.Itoa(10000 + i)
		table = append(table, tcp4(t, sampler.StateEstablished, "127.0.0.1:"+port, "127.0.0.1:80", uint64(100+i)))
	}
	k := newFakeKernel(t, table...)
	k.perDatagram = 300
	return k
}

// A whole table after narrowed samples (the ebpf source's check, 10 s
// after the last) is read into a slice sized by sockstat's count now, not
// by the last whole table's: the table grew since, and a slice just big
// enough for the dump left no room for the rows the poller appends to a
// check's table (it was copied whole, beside the base).
func TestCheckAfterGrowthSizedBySockstat(t *testing.T) {
	k := bigFakeKernel(t)
	proc := newFakeProcfs(t)
	proc.counters(t, 10, 20, 2000)
	s := k.mustSource(string(proc))
	first := len(sample(t, s))
	s.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.UDP}})
	sample(t, s)
	// The table grows by an eighth of the first one meanwhile.
	grown := first / 8
	for i := range grown {
		port := strconv.Itoa(20000 + i)
		k.table = append(k.table, tcp4(t, sampler.StateEstablished, "127.0.0.1:"+port, "127.0.0.1:80", uint64(5000+i)))
	}
	proc.counters(t, 10+uint64(grown), 20, uint64(2000+grown))
	s.SetQuery(sampler.Query{})
	got := sample(t, s)
	if len(got) != first+grown {
		t.Fatalf("the check read %d rows, want %d", len(got), first+grown)
	}
	if room := cap(got) - len(got); room < len(got)/16 {
		t.Errorf("the check's %d rows read into a slice for %d: room for %d more, want at least %d", len(got), cap(got), room, len(got)/16)
	}
}
