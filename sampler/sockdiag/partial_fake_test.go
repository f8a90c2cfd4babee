package sockdiag

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Partial samples through the fake kernel and a fake /proc/net/snmp: which
// dumps each sample asks for as the counters move, and that what a partial
// sample gives is the table a full dump gives. (partial_linux_test.go checks
// the same against the running kernel; partial_test.go the proof itself.)
func TestPartialSamplesFollowTheCounters(t *testing.T) {
	const (
		full    = "tcpdiag family=0 proto=6 states=0x1fff bytecode=false\n"
		partial = "tcpdiag family=0 proto=6 states=0x1ffc bytecode=false\n" // all but ESTABLISHED (and StateNone, UDP's)
		udp     = "by-family family=2 proto=17 states=0xffffffff bytecode=false\nby-family family=10 proto=17 states=0xffffffff bytecode=false\n"
	)
	k := newFakeKernel(t, fakeTable(t)...)
	proc := newFakeProcfs(t)
	// 2 ESTABLISHED and 1 CLOSE_WAIT, counted as kernels since 6.10 do.
	proc.counters(t, 10, 20, 3)
	s := k.mustSource(string(proc))

	steps := []struct {
		name string
		// change is what happens in the kernel before the sample.
		change func()
		// during, when set, runs as the first request of the sample arrives.
		during   func()
		requests string
		cookies  []uint64
		partials uint64
	}{
		{
			name:     "first sample: full",
			requests: full + udp,
			cookies:  []uint64{1, 2, 3, 4, 5, 6, 7},
		},
		{
			name:     "nothing opened: partial, ESTABLISHED carried over",
			requests: partial + udp,
			cookies:  []uint64{1, 2, 3, 4, 5, 6, 7},
			partials: 1,
		},
		{
			name: "a connection opened: full",
			change: func() {
				k.table = append(k.table, tcp4(t, sampler.StateEstablished, "127.0.0.1:40001", "127.0.0.1:80", 8))
				proc.counters(t, 11, 20, 4)
			},
			requests: full + udp,
			cookies:  []uint64{1, 2, 3, 4, 5, 6, 7, 8},
			partials: 1,
		},
		{
			name:     "quiet again: partial",
			requests: partial + udp,
			cookies:  []uint64{1, 2, 3, 4, 5, 6, 7, 8},
			partials: 2,
		},
		{
			name: "a connection closed since: the partial does not add up, full",
			change: func() {
				k.table = slices.DeleteFunc(k.table, func(s fakeSock) bool { return s.Cookie == 3 })
				proc.counters(t, 11, 20, 3)
			},
			requests: partial + udp + full + udp,
			cookies:  []uint64{1, 2, 4, 5, 6, 7, 8},
			partials: 2,
		},
		{
			name: "a connection closed during the partial dump: full",
			during: func() {
				k.table = slices.DeleteFunc(k.table, func(s fakeSock) bool { return s.Cookie == 8 })
				proc.counters(t, 11, 20, 2)
			},
			requests: partial + udp + full + udp,
			cookies:  []uint64{1, 2, 4, 5, 6, 7},
			partials: 2,
		},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change()
		}
		k.onRequest = nil
		if st.during != nil {
			k.onRequest = func(fakeRequest) {
				k.onRequest = nil
				st.during()
			}
		}
		// As if the last full dump were just now: the once-a-second full
		// dump is not what this test is about.
		s.part.lastFull = time.Now()
		n := len(k.requests)
		socks := sample(t, s)
		if got := describe(k.since(n)); got != st.requests {
			t.Errorf("%s: requests\n%s\nwant\n%s", st.name, got, st.requests)
		}
		if got := cookies(socks); !slices.Equal(got, st.cookies) {
			t.Errorf("%s: cookies %v, want %v", st.name, got, st.cookies)
		}
		for _, sock := range socks {
			if sock.PID == 0 || (sock.Proto == sampler.TCP && sock.State == sampler.StateEstablished && uint64(sock.Inode) != sock.Cookie) {
				t.Errorf("%s: socket %d carried as %+v", st.name, sock.Cookie, sock)
			}
		}
		if s.part.partials != st.partials {
			t.Errorf("%s: %d partial samples so far, want %d", st.name, s.part.partials, st.partials)
		}
	}
}

// Without the counters (a /proc without net/snmp) every sample is full.
func TestNoCountersNoPartialSamples(t *testing.T) {
	k := newFakeKernel(t, fakeTable(t)...)
	s := k.mustSource(t.TempDir())
	for range 3 {
		sample(t, s)
	}
	if s.part.partials != 0 || s.part.fulls != 3 {
		t.Errorf("%d partial and %d full samples without counters, want 0 and 3", s.part.partials, s.part.fulls)
	}
	if _, err := s.KernelCounters(); err == nil {
		t.Error("KernelCounters without net/snmp: no error")
	}
}

// A partial sample carries its ESTABLISHED sockets from the last sample as
// handed out, not from a copy, whatever its caller did with it since:
// stamped it (Since, owners) and placed it, dropped a row (that sample is
// then full), or handed its memory back to be refilled (a copy of what the
// next sample carries is made then, before it is written over).
func TestPartialSampleCarriesFromTheSampleHandedOut(t *testing.T) {
	k := newFakeKernel(t, fakeTable(t)...)
	proc := newFakeProcfs(t)
	proc.counters(t, 10, 20, 3)
	s := k.mustSource(string(proc))
	all := []uint64{1, 2, 3, 4, 5, 6, 7}
	steps := []struct {
		name     string
		use      func(socks []sampler.Socket) // what the caller does with the last sample
		partials uint64
	}{
		{name: "first sample: full", use: func([]sampler.Socket) {}},
		{
			name: "stamped and placed: partial",
			use: func(socks []sampler.Socket) {
				for i := range socks {
					socks[i].Since = sampler.StampOf(time.Unix(1, 0))
					socks[i].PID, socks[i].Process = 99, "stamped"
					socks[i].Place = sampler.Place{Netns: 7}.WithNames(sampler.PlaceNames{NetnsName: "ns"})
				}
			},
			partials: 1,
		},
		{
			name: "a row dropped (a release said it was gone): full",
			use: func(socks []sampler.Socket) {
				_ = slices.DeleteFunc(socks, func(s sampler.Socket) bool { return s.Cookie == 2 })
			},
			partials: 1,
		},
		{
			name: "handed back: partial, from a copy",
			use: func(socks []sampler.Socket) {
				s.Recycle(socks)
			},
			partials: 2,
		},
		{
			name: "handed back again: partial",
			use: func(socks []sampler.Socket) {
				s.Recycle(socks)
			},
			partials: 3,
		},
	}
	var last []sampler.Socket
	for _, st := range steps {
		st.use(last)
		s.part.lastFull = time.Now()
		socks := sample(t, s)
		if got := cookies(socks); !slices.Equal(got, all) {
			t.Errorf("%s: cookies %v, want %v", st.name, got, all)
		}
		for _, sock := range socks {
			if sock.Proto == sampler.TCP && sock.State == sampler.StateEstablished && (uint64(sock.Inode) != sock.Cookie || sock.PID == 0) {
				t.Errorf("%s: socket %d carried as %+v", st.name, sock.Cookie, sock)
			}
		}
		if s.part.partials != st.partials {
			t.Errorf("%s: %d partial samples so far, want %d", st.name, s.part.partials, st.partials)
		}
		if !sameMemory(s.part.prev.rows, socks) {
			t.Errorf("%s: the sample kept for the next is not the one handed out", st.name)
		}
		last = socks
	}
}

// A whole sample between narrowed ones (the ebpf source's check, UDP
// alone between) keeps nothing for a partial sample: none could follow
// it. Whole samples in a row keep theirs again, and partial samples
// follow.
func TestWholeSampleAfterANarrowedOneKeepsNoRows(t *testing.T) {
	k := newFakeKernel(t, fakeTable(t)...)
	proc := newFakeProcfs(t)
	proc.counters(t, 10, 20, 3)
	s := k.mustSource(string(proc))
	udpOnly := sampler.Query{States: sampler.MaskOf(sampler.StateNone)}
	steps := []struct {
		name     string
		query    sampler.Query
		kept     bool // rows kept for a partial sample
		partials uint64
	}{
		{name: "first, whole", kept: true},
		{name: "narrowed to UDP", query: udpOnly},
		{name: "whole after narrowed (a check)"},
		{name: "narrowed again", query: udpOnly},
		{name: "whole after narrowed, widened for good"},
		{name: "whole after whole: full, kept", kept: true},
		{name: "whole after whole: partial", kept: true, partials: 1},
	}
	var q sampler.Query
	for _, st := range steps {
		if !reflect.DeepEqual(st.query, q) {
			q = st.query
			s.SetQuery(q)
		}
		s.part.lastFull = time.Now()
		sample(t, s)
		if kept := s.part.prev.valid && len(s.part.prev.at) > 0; kept != st.kept {
			t.Errorf("%s: rows kept %v, want %v", st.name, kept, st.kept)
		}
		if s.part.partials != st.partials {
			t.Errorf("%s: %d partial samples so far, want %d", st.name, s.part.partials, st.partials)
		}
	}
}
