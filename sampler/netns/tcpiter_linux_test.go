//go:build linux

package netns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/nstest"
)

// Why the multi-namespace Source does not read TCP with a BPF socket
// iterator (iter/tcp, Linux 5.9+): the kernel's iterator walks the same
// hashes as a sock_diag dump and yields only the sockets of the network
// namespace of the thread that created it (bpf_iter_init_seq_net takes
// current's namespace; seq_sk_match skips every other). So it cannot read
// every namespace in one walk: each namespace still needs a walk of its
// own, begun from inside it, over the established hash they all share.
// The test pins that down; BenchmarkNamespaces's iter_walk rows measure
// what a walk per namespace would cost beside the netlink dumps and the
// one walk of every namespace the Source does use (sampler/tcpwalk,
// walk_linux.go).

// iterRecord is what the probe program writes per socket: its namespace,
// local and remote port, state (the kernel's: 12 is a request socket,
// reported by sock_diag as SYN_RECV) and family.
type iterRecord struct {
	netns         uint32
	sport, dport  uint16
	state, family uint8
}

const iterRecordSize = 16

// tcpIter is a loaded iter/tcp program and its link.
type tcpIter struct {
	prog *ebpf.Program
	it   *link.Iter
}

// openTCPIter loads the probe program, or skips the test with the reason.
func openTCPIter(tb testing.TB) *tcpIter {
	tb.Helper()
	nstest.RequireRoot(tb)
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		tb.Skip("BPF socket iterators need the kernel's BTF (/sys/kernel/btf/vmlinux): ", err)
	}
	ins, err := iterProgram()
	if err != nil {
		tb.Skip("kernel BTF lacks what the iterator reads: ", err)
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:         ebpf.Tracing,
		AttachType:   ebpf.AttachTraceIter,
		AttachTo:     "tcp",
		Instructions: ins,
		License:      "GPL", // bpf_seq_write
	})
	if err != nil {
		tb.Skip("the kernel refused the iter/tcp program (Linux 5.9+ with BTF): ", err)
	}
	it, err := link.AttachIter(link.IterOptions{Program: prog})
	if err != nil {
		prog.Close()
		tb.Skip("cannot attach iter/tcp: ", err)
	}
	t := &tcpIter{prog: prog, it: it}
	tb.Cleanup(t.close)
	return t
}

func (t *tcpIter) close() {
	t.it.Close()
	t.prog.Close()
}

// iterProgram writes one iterRecord per socket the iterator passes:
// bpf_iter__tcp is { meta, sk_common, uid }, sk_common NULL on the last
// call. Loads through sk_common are checked against BTF by the verifier.
func iterProgram() (asm.Instructions, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return nil, err
	}
	off := func(typ, path string) (int, error) {
		var st *btf.Struct
		if err := spec.TypeByName(typ, &st); err != nil {
			return 0, err
		}
		at := btf.Bits(0)
		var t btf.Type = st
		for _, name := range strings.Split(path, ".") {
			m, o, ok := btfMember(t, name)
			if !ok {
				return 0, fmt.Errorf("%s has no %s", typ, path)
			}
			at += o
			t = m.Type
		}
		return int(at / 8), nil
	}
	var o struct{ net, inum, num, dport, state, family int }
	for _, f := range []struct {
		dst       *int
		typ, path string
	}{
		{&o.net, "sock_common", "skc_net.net"},
		{&o.inum, "net", "ns.inum"},
		{&o.num, "sock_common", "skc_num"},
		{&o.dport, "sock_common", "skc_dport"},
		{&o.state, "sock_common", "skc_state"},
		{&o.family, "sock_common", "skc_family"},
	} {
		if *f.dst, err = off(f.typ, f.path); err != nil {
			return nil, err
		}
	}
	const rec = -iterRecordSize
	return asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.LoadMem(asm.R7, asm.R6, 8, asm.DWord), // sk_common
		asm.JEq.Imm(asm.R7, 0, "exit"),
		asm.Mov.Imm(asm.R0, 0),
		asm.StoreMem(asm.RFP, rec, asm.R0, asm.DWord),
		asm.StoreMem(asm.RFP, rec+8, asm.R0, asm.DWord),
		asm.LoadMem(asm.R1, asm.R7, int16(o.net), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "nonet"),
		asm.LoadMem(asm.R0, asm.R1, int16(o.inum), asm.Word),
		asm.StoreMem(asm.RFP, rec, asm.R0, asm.Word),
		asm.LoadMem(asm.R0, asm.R7, int16(o.num), asm.Half).WithSymbol("nonet"),
		asm.StoreMem(asm.RFP, rec+4, asm.R0, asm.Half),
		asm.LoadMem(asm.R0, asm.R7, int16(o.dport), asm.Half),
		asm.HostTo(asm.BE, asm.R0, asm.Half),
		asm.StoreMem(asm.RFP, rec+6, asm.R0, asm.Half),
		asm.LoadMem(asm.R0, asm.R7, int16(o.state), asm.Byte),
		asm.StoreMem(asm.RFP, rec+8, asm.R0, asm.Byte),
		asm.LoadMem(asm.R0, asm.R7, int16(o.family), asm.Half),
		asm.StoreMem(asm.RFP, rec+9, asm.R0, asm.Byte),
		asm.LoadMem(asm.R1, asm.R6, 0, asm.DWord), // meta
		asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord), // meta->seq
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, rec),
		asm.Mov.Imm(asm.R3, iterRecordSize),
		asm.FnSeqWrite.Call(),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("exit"),
		asm.Return(),
	}, nil
}

// btfMember finds a member by name, looking into anonymous structs and
// unions, with its offset.
func btfMember(t btf.Type, name string) (btf.Member, btf.Bits, bool) {
	var members []btf.Member
	switch c := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		members = c.Members
	case *btf.Union:
		members = c.Members
	}
	for _, m := range members {
		if m.Name == name {
			return m, m.Offset, true
		}
		if m.Name == "" {
			if f, at, ok := btfMember(m.Type, name); ok {
				return f, m.Offset + at, true
			}
		}
	}
	return btf.Member{}, 0, false
}

// walk creates an iterator in the calling thread's network namespace and
// reads it to the end, appending its records to dst.
func (t *tcpIter) walk(dst []iterRecord) ([]iterRecord, error) {
	r, err := t.it.Open()
	if err != nil {
		return dst, err
	}
	defer r.Close()
	buf := make([]byte, 64<<10)
	var carry []byte
	for {
		n, err := r.Read(buf)
		b := append(carry, buf[:n]...)
		for len(b) >= iterRecordSize {
			dst = append(dst, iterRecord{
				netns:  binary.NativeEndian.Uint32(b[0:4]),
				sport:  binary.NativeEndian.Uint16(b[4:6]),
				dport:  binary.NativeEndian.Uint16(b[6:8]),
				state:  b[8],
				family: b[9],
			})
			b = b[iterRecordSize:]
		}
		carry = append(carry[:0], b...)
		if errors.Is(err, io.EOF) {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// walkIn walks the iterator from inside namespace n (Do: a locked thread
// that setns'es there), as a reader of n would have to, each round.
func (t *tcpIter) walkIn(n NS, dst []iterRecord) (out []iterRecord, err error) {
	err = Do(n, func() error {
		out, err = t.walk(dst)
		return err
	})
	return out, err
}

// iterKey is what the test compares between the iterator and netlink.
type iterKey struct {
	sport, dport uint16
	state        sampler.State
	v6           bool
}

func (r iterRecord) key() iterKey {
	st := sampler.State(r.state)
	if st == sampler.StateNewSynRecv {
		st = sampler.StateSynRecv // as sock_diag reports a request socket
	}
	return iterKey{r.sport, r.dport, st, r.family == 10}
}

// The iterator created inside a namespace yields exactly that namespace's
// TCP sockets (as its netlink dump lists them: listeners, established,
// TIME_WAIT, IPv4 and IPv6), and one created in porttop's namespace none
// of another's: a walk of every namespace at once is not to be had.
func TestTCPIteratorWalksOnlyItsOwnNamespace(t *testing.T) {
	it := openTCPIter(t)
	var spaces []NS
	for _, sfx := range []string{"iter-a", "iter-b"} {
		spaces = append(spaces, inNamespace(t, nstest.Netns(t, sfx, 0, 0)))
	}
	for _, n := range spaces {
		for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
			var ln net.Listener
			var client, tw net.Conn
			err := Do(n, func() (err error) {
				if ln, err = net.Listen("tcp", addr); err != nil {
					return err
				}
				if client, err = net.Dial("tcp", ln.Addr().String()); err != nil {
					return err
				}
				tw, err = net.Dial("tcp", ln.Addr().String())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close(); client.Close() })
			server, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { server.Close() })
			twServer, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			tw.Close() // this end closes first: TIME_WAIT once the other end closes
			twServer.Close()
		}
	}
	time.Sleep(100 * time.Millisecond) // the FIN exchange on loopback
	self, err := it.walk(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range self {
		for _, n := range spaces {
			if uint64(r.netns) == n.Inode {
				t.Fatalf("an iterator made in porttop's namespace passed a socket of %s: %+v", n.Name, r)
			}
		}
	}
	for _, n := range spaces {
		recs, err := it.walkIn(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []iterKey
		for _, r := range recs {
			if uint64(r.netns) != n.Inode {
				t.Fatalf("an iterator made in %s passed a socket of namespace %d: %+v", n.Name, r.netns, r)
			}
			got = append(got, r.key())
		}
		src, err := OpenSockDiag(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		src.WithoutOwners()
		snap, err := src.Sample(t.Context())
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
		var want []iterKey
		states := map[sampler.State]int{}
		for _, s := range snap.Sockets {
			if s.Proto != sampler.TCP {
				continue
			}
			want = append(want, iterKey{s.Local.Port(), s.Remote.Port(), s.State, s.Local.Addr().Is6()})
			states[s.State]++
		}
		if states[sampler.StateListen] != 2 || states[sampler.StateEstablished] != 4 || states[sampler.StateTimeWait] != 2 {
			t.Fatalf("%s: netlink lists %v, want 2 listeners, 4 established, 2 TIME_WAIT", n.Name, states)
		}
		cmp := func(a, b iterKey) int {
			return cmpAll(int(a.sport)-int(b.sport), int(a.dport)-int(b.dport), int(a.state)-int(b.state), boolInt(a.v6)-boolInt(b.v6))
		}
		slices.SortFunc(got, cmp)
		slices.SortFunc(want, cmp)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: iterator passed\n%v\nnetlink lists\n%v", n.Name, got, want)
		}
	}
}

func cmpAll(c ...int) int {
	for _, x := range c {
		if x != 0 {
			return x
		}
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// benchIterWalks times what reading TCP with iter/tcp would cost: a walk
// begun inside each namespace of ns (a locked thread's setns, the
// iterator created there, read to the end), a 16-byte record per socket
// (no conversion, no owners: a lower bound for a reader).
func benchIterWalks(b *testing.B, ns []NS, want int) {
	it := openTCPIter(b)
	var recs []iterRecord
	round := func() int {
		recs = recs[:0]
		for _, n := range ns {
			var err error
			if recs, err = it.walkIn(n, recs); err != nil {
				b.Fatal(err)
			}
		}
		return len(recs)
	}
	timeRounds(b, ns, want, round)
}
