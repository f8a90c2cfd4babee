package ebpf

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// fixture builds a record as the kernel programs write it.
type fixture [recordSize]byte

func (f *fixture) u64(off int, v uint64) *fixture {
	binary.NativeEndian.PutUint64(f[off:], v)
	return f
}
func (f *fixture) u32(off int, v uint32) *fixture {
	binary.NativeEndian.PutUint32(f[off:], v)
	return f
}
func (f *fixture) u16(off int, v uint16) *fixture {
	binary.NativeEndian.PutUint16(f[off:], v)
	return f
}
func (f *fixture) bytes(off int, b []byte) *fixture { copy(f[off:], b); return f }

func withProcess(f *fixture, pid, tid, uid uint32, cgroup uint64, comm string) *fixture {
	return f.u64(offPidTgid, uint64(pid)<<32|uint64(tid)).u64(offUidGid, 1000<<32|uint64(uid)).
		u64(offCgroup, cgroup).bytes(offComm, []byte(comm))
}

func stateRecord(from, to sampler.State, fam uint16, src, dst netip.AddrPort) *fixture {
	f := &fixture{}
	f.u64(offKtime, 5_000_000_000).u64(offSkaddr, 0xffff8881_2345_6780).u32(offKind, kindState).
		u32(offOld, uint32(from)).u32(offNew, uint32(to)).u16(offFamily, fam).u16(offProto, 6).
		u16(offSport, src.Port()).u16(offDport, dst.Port())
	if fam == afInet {
		a, b := src.Addr().As4(), dst.Addr().As4()
		f.bytes(offSaddr4, a[:]).bytes(offDaddr4, b[:])
	} else {
		a, b := src.Addr().As16(), dst.Addr().As16()
		f.bytes(offSaddr6, a[:]).bytes(offDaddr6, b[:])
	}
	f.u32(offNetns, 4026531840)
	return withProcess(f, 4242, 4243, 1000, 77, "curl")
}

func sockaddrIn(port uint16, ip [4]byte) []byte {
	b := make([]byte, 16)
	binary.NativeEndian.PutUint16(b, afInet)
	binary.BigEndian.PutUint16(b[2:], port)
	copy(b[4:], ip[:])
	return b
}

func sockaddrIn6(port uint16, ip netip.Addr) []byte {
	b := make([]byte, 28)
	binary.NativeEndian.PutUint16(b, afInet6)
	binary.BigEndian.PutUint16(b[2:], port)
	a := ip.As16()
	copy(b[8:], a[:])
	return b
}

func failRecord(kind uint32, ret int32, sa []byte) *fixture {
	f := &fixture{}
	f.u64(offKtime, 7_000_000_000).u32(offKind, kind).u32(offRet, uint32(ret)).bytes(offSockaddr, sa)
	return withProcess(f, 900, 901, 33, 12, "python3")
}

var testClock = Clock{Base: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), Mono: 4_000_000_000}

func TestDecodeTransitionV4WithItsProcess(t *testing.T) {
	src, dst := netip.MustParseAddrPort("127.0.0.1:0"), netip.MustParseAddrPort("127.0.0.1:9400")
	rec := stateRecord(sampler.StateClose, sampler.StateSynSent, afInet, src, dst)
	var tr sampler.Transition
	var pf sampler.PortFailure
	isFail, err := Decode(rec[:], testClock, &tr, &pf)
	if err != nil || isFail {
		t.Fatalf("Decode = %v, %v", isFail, err)
	}
	want := sampler.Transition{
		At: testClock.Base.Add(time.Second), Sock: 0xffff8881_2345_6780, Proto: sampler.TCP,
		Local: src, Remote: dst, From: sampler.StateClose, To: sampler.StateSynSent,
		Actor: sampler.Actor{Known: true, PID: 4242, TID: 4243, UID: 1000, CgroupID: 77, Comm: "curl"},
		NetNS: 4026531840,
	}
	if tr != want {
		t.Errorf("got  %+v\nwant %+v", tr, want)
	}
}

func TestDecodeTransitionInSoftirqHasNoProcess(t *testing.T) {
	src, dst := netip.MustParseAddrPort("[2001:db8::1]:40000"), netip.MustParseAddrPort("[2001:db8::2]:443")
	rec := stateRecord(sampler.StateSynSent, sampler.StateEstablished, afInet6, src, dst)
	var tr sampler.Transition
	if _, err := Decode(rec[:], testClock, &tr, nil); err != nil {
		t.Fatal(err)
	}
	if tr.Local != src || tr.Remote != dst || tr.Actor != (sampler.Actor{}) || tr.NetNS != 4026531840 {
		t.Errorf("got %+v", tr)
	}
}

func TestDecodeUnmapsV4MappedV6(t *testing.T) {
	src, dst := netip.MustParseAddrPort("[::ffff:10.0.0.1]:5000"), netip.MustParseAddrPort("[::ffff:10.0.0.2]:80")
	rec := stateRecord(sampler.StateEstablished, sampler.StateFinWait1, afInet6, src, dst)
	var tr sampler.Transition
	if _, err := Decode(rec[:], testClock, &tr, nil); err != nil {
		t.Fatal(err)
	}
	if tr.Local.String() != "10.0.0.1:5000" || tr.Remote.String() != "10.0.0.2:80" || !tr.Actor.Known {
		t.Errorf("got %+v", tr)
	}
}

func TestDecodeFailedConnectAndBind(t *testing.T) {
	cases := []struct {
		rec  *fixture
		want sampler.PortFailure
	}{
		{failRecord(kindConnect, -99, sockaddrIn(9400, [4]byte{127, 0, 0, 1})), sampler.PortFailure{
			Op: sampler.FailedConnect, Errno: 99, Addr: netip.MustParseAddrPort("127.0.0.1:9400")}},
		{failRecord(kindConnect, -99, sockaddrIn6(443, netip.MustParseAddr("2001:db8::9"))), sampler.PortFailure{
			Op: sampler.FailedConnect, Errno: 99, Addr: netip.MustParseAddrPort("[2001:db8::9]:443")}},
		{failRecord(kindBind, -98, sockaddrIn(0, [4]byte{})), sampler.PortFailure{
			Op: sampler.FailedBind, Errno: 98, Addr: netip.MustParseAddrPort("0.0.0.0:0")}},
	}
	for _, c := range cases {
		var pf sampler.PortFailure
		isFail, err := Decode(c.rec[:], testClock, nil, &pf)
		if err != nil || !isFail {
			t.Fatalf("Decode = %v, %v", isFail, err)
		}
		c.want.At = testClock.Base.Add(3 * time.Second)
		c.want.Actor = sampler.Actor{Known: true, PID: 900, TID: 901, UID: 33, CgroupID: 12, Comm: "python3"}
		if pf != c.want {
			t.Errorf("got  %+v\nwant %+v", pf, c.want)
		}
	}
}

func TestDecodeKeepsCommRaw(t *testing.T) {
	rec := stateRecord(sampler.StateClose, sampler.StateListen, afInet, netip.MustParseAddrPort("0.0.0.0:80"), netip.MustParseAddrPort("0.0.0.0:0"))
	rec.bytes(offComm, []byte("evil\x1b[2Jname\x00\x00"))
	var tr sampler.Transition
	if _, err := Decode(rec[:], testClock, &tr, nil); err != nil {
		t.Fatal(err)
	}
	// Escaping is the display's job; Decode hands over exactly the kernel's bytes.
	if tr.Actor.Comm != "evil\x1b[2Jname" {
		t.Errorf("comm = %q", tr.Actor.Comm)
	}
}

func TestDecodeRejectsBadRecords(t *testing.T) {
	good := stateRecord(sampler.StateClose, sampler.StateListen, afInet, netip.MustParseAddrPort("0.0.0.0:80"), netip.MustParseAddrPort("0.0.0.0:0"))
	cases := map[string][]byte{
		"short":            good[:recordSize-1],
		"empty":            nil,
		"unknown kind":     (&fixture{}).u32(offKind, 9)[:],
		"bad family":       func() []byte { f := *good; f.u16(offFamily, 1); return f[:] }(),
		"state 0":          func() []byte { f := *good; f.u32(offOld, 0); return f[:] }(),
		"state 13":         func() []byte { f := *good; f.u32(offNew, 13); return f[:] }(),
		"sockaddr AF_UNIX": failRecord(kindConnect, -99, []byte{1, 0})[:],
	}
	for name, b := range cases {
		var tr sampler.Transition
		var pf sampler.PortFailure
		if _, err := Decode(b, testClock, &tr, &pf); err == nil || !strings.HasPrefix(err.Error(), "ebpf record:") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestInProcessOnlyForTheOwnersSystemCalls(t *testing.T) {
	yes := [][2]sampler.State{
		{sampler.StateClose, sampler.StateSynSent}, {sampler.StateClose, sampler.StateListen},
		{sampler.StateListen, sampler.StateClose}, {sampler.StateEstablished, sampler.StateFinWait1},
		{sampler.StateCloseWait, sampler.StateLastAck}, {sampler.StateSynRecv, sampler.StateFinWait1},
	}
	no := [][2]sampler.State{
		{sampler.StateSynSent, sampler.StateEstablished}, {sampler.StateListen, sampler.StateSynRecv},
		{sampler.StateEstablished, sampler.StateCloseWait}, {sampler.StateFinWait2, sampler.StateClose},
		{sampler.StateSynSent, sampler.StateClose}, {sampler.StateLastAck, sampler.StateClose},
	}
	for _, s := range yes {
		if !InProcess(s[0], s[1]) {
			t.Errorf("%s -> %s runs in the owner's system call", s[0], s[1])
		}
	}
	for _, s := range no {
		if InProcess(s[0], s[1]) {
			t.Errorf("%s -> %s can run in any task", s[0], s[1])
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	rec := stateRecord(sampler.StateSynSent, sampler.StateEstablished, afInet6,
		netip.MustParseAddrPort("[2001:db8::1]:40000"), netip.MustParseAddrPort("[2001:db8::2]:443"))
	withComm := stateRecord(sampler.StateClose, sampler.StateSynSent, afInet,
		netip.MustParseAddrPort("127.0.0.1:0"), netip.MustParseAddrPort("127.0.0.1:9400"))
	var tr sampler.Transition
	b.Run("softirq", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(rec[:], testClock, &tr, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("process", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(withComm[:], testClock, &tr, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("process, Decoder", func(b *testing.B) {
		d := Decoder{Clock: testClock}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.Decode(withComm[:], &tr, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The reader decodes every record with a Decoder: once a process name was
// seen, a record costs no allocation.
func TestDecoderAllocatesNothingPerRecord(t *testing.T) {
	rec := stateRecord(sampler.StateClose, sampler.StateSynSent, afInet,
		netip.MustParseAddrPort("127.0.0.1:0"), netip.MustParseAddrPort("127.0.0.1:9400"))
	d := Decoder{Clock: testClock}
	var tr sampler.Transition
	_, err := Decode(rec[:], testClock, &tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	plain := tr
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := d.Decode(rec[:], &tr, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per record, want 0", allocs)
	}
	if tr != plain || tr.Actor.Comm == "" {
		t.Errorf("Decoder gave %+v, Decode %+v", tr, plain)
	}
}
