//go:build linux

package tcpwalk

import (
	"fmt"
	"math/bits"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// The walk program, written with cilium/ebpf's asm package (no clang, no
// object file). It runs as a bpf_map iterator program and does its work
// at the iterator's last call (map NULL), so reading the iterator is the
// trigger and the maps it iterates (a few) cost nothing. Everything
// behind the socket pointers is read with bpf_probe_read_kernel, under
// the RCU read lock the iterator holds, as the kernel's own lock-free
// lookups read the established hash.
//
// main: from the reading task (bpf_get_current_task) to its namespace's
// struct inet_hashinfo (net->ipv4.tcp_death_row.hashinfo: the global
// tcp_hashinfo unless the namespace has a hash of its own); writes the
// header record (jiffies now, ehash_mask), runs chunk() with bpf_loop over
// the chunks of 16 buckets the range map names (first, count: a round of
// the walk; see Walker.Walk), then writes the trailer into the range
// map's value (records lost, chains cut, bpf_loop's result, chains that
// ended in another bucket): a ring that filled up has no room for it.
//
// chunk(k, ctx): reads 16 bucket heads at once and follows each
// bucket's hlist_nulls chain (at most maxChain sockets) with bpf_loop
// over sock(), which writes one record per socket of a namespace in the
// want map, and checks the nulls marker that ends the chain is the
// bucket's.

// Record layout (socket records); the header is 8 bytes (jiffies), the
// trailer trailerSize.
const (
	recInum     = 0  // u32 net->ns.inum
	recUID      = 4  // u32 sk_uid (a request socket: its listener's)
	recState    = 8  // u8 skc_state
	recFamily   = 9  // u8 skc_family
	recNum      = 10 // u16 skc_num, host order
	recDport    = 12 // u16 skc_dport, network order
	recSubstate = 14 // u8 tw_substate (timewait sockets)
	recSaddr4   = 16 // skc_rcv_saddr
	recDaddr4   = 20 // skc_daddr
	recSaddr6   = 24 // skc_v6_rcv_saddr
	recDaddr6   = 40 // skc_v6_daddr
	recCookie   = 56 // u64 skc_cookie (0: none made yet)
	recIno      = 64 // u64 i_ino of its struct socket's inode (full sockets)
	recCgroup   = 72 // u64 cgroup v2 id (full sockets)
	recExpires  = 80 // u64 tw_timer.expires (TIME_WAIT)
	recordSize  = 88
	headerSize  = 16 // jiffies, ehash_mask (u32, then 4 zero bytes)
	trailerSize = 32

	// maxChain bounds the sockets read from one bucket; a longer chain
	// (never seen: chains hold a few sockets) marks the walk incomplete.
	maxChain = 256

	// Kernel numbers.
	stateTimeWait   = 6
	stateNewSynRecv = 12
	rbNoWakeup      = 1 // BPF_RB_NO_WAKEUP: the reader drains after the walk
)

// Stack layout. main: ctx (what chunk() and sock() get) at ctxOff: ehash address,
// the header (jiffies, ehash_mask), the trailer (records lost, chains cut,
// bpf_loop's result, chains moved), the chain's node, the round's first
// chunk.
const (
	ctxOff      = -72
	ctxEhash    = 0
	ctxJiffies  = 8  // the header: jiffies, mask
	ctxMask     = 16 // ehash_mask (u32)
	ctxLost     = 24 // the trailer: lost, cut, loop, moved
	ctxCut      = 32
	ctxLoop     = 40
	ctxMoved    = 48
	ctxNode     = 56 // the chain's node sock() reads next
	ctxFirst    = 64 // the round's first chunk
	mainScratch = -80

	// chunkBytes of bucket heads are read at once (16 buckets of 8 bytes):
	// one bpf_probe_read_kernel per 16 buckets, most of them empty.
	chunkBytes = 128

	// sock(): a node, a scratch word, the socket's head, the record
	// (chunk(): the bucket heads, chunkBytes).
	bNode    = -8
	bScratch = -16
	bHead    = -16 - maxHead
	bRec     = bHead - recordSize
)

// The range map's value: the round's first chunk and how many (u32 each).
const (
	rangeFirst   = 0
	rangeCount   = 4
	rangeTrailer = 8 // trailerSize bytes: the round's trailer
	rangeSize    = rangeTrailer + trailerSize
)

func walkProgram(o offsets, ring, want, rng int) asm.Instructions {
	chunk := chunkBytes / o.bucket // buckets a chunk, a power of 2
	shift := bits.TrailingZeros(uint(chunk))
	// rd reads n bytes at R3+off into the stack at dst (zeroed on a
	// fault), clobbering R0-R5.
	rd := func(dst int, n int, off int) asm.Instructions {
		return asm.Instructions{
			asm.Add.Imm(asm.R3, int32(off)),
			asm.Mov.Reg(asm.R1, asm.RFP),
			asm.Add.Imm(asm.R1, int32(dst)),
			asm.Mov.Imm(asm.R2, int32(n)),
			asm.FnProbeReadKernel.Call(),
		}
	}
	// follow loads the pointer at stack slot at into R3 and leaves to
	// label when it is NULL.
	follow := func(at int, label string) asm.Instructions {
		return asm.Instructions{
			asm.LoadMem(asm.R3, asm.RFP, int16(at), asm.DWord),
			asm.JEq.Imm(asm.R3, 0, label),
		}
	}
	zero := func(off, n int) asm.Instructions {
		ins := asm.Instructions{asm.Mov.Imm(asm.R0, 0)}
		for i := 0; i < n; i += 8 {
			ins = append(ins, asm.StoreMem(asm.RFP, int16(off+i), asm.R0, asm.DWord))
		}
		return ins
	}
	output := func(at, n int, flags int32) asm.Instructions {
		return asm.Instructions{
			asm.LoadMapPtr(asm.R1, ring),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, int32(at)),
			asm.Mov.Imm(asm.R3, int32(n)),
			asm.Mov.Imm(asm.R4, flags),
			asm.FnRingbufOutput.Call(),
		}
	}
	var ins asm.Instructions
	add := func(more ...asm.Instructions) {
		for _, m := range more {
			ins = append(ins, m...)
		}
	}
	// main
	add(asm.Instructions{
		asm.LoadMem(asm.R1, asm.R1, 8, asm.DWord), // bpf_iter__bpf_map.map
		asm.JNE.Imm(asm.R1, 0, "exit"),
	})
	add(zero(mainScratch, -mainScratch))
	add(asm.Instructions{
		asm.FnJiffies64.Call(),
		asm.StoreMem(asm.RFP, ctxOff+ctxJiffies, asm.R0, asm.DWord),
		asm.FnGetCurrentTask.Call(),
		asm.Mov.Reg(asm.R3, asm.R0),
	})
	add(rd(mainScratch, 8, o.nsproxy), follow(mainScratch, "exit"))
	add(rd(mainScratch, 8, o.netNS), follow(mainScratch, "exit"))
	add(rd(mainScratch, 8, o.hashinfo), follow(mainScratch, "exit"))
	add(asm.Instructions{asm.Mov.Reg(asm.R6, asm.R3)})
	add(rd(ctxOff+ctxEhash, 8, o.ehash))
	add(asm.Instructions{asm.Mov.Reg(asm.R3, asm.R6)})
	add(rd(ctxOff+ctxMask, 4, o.ehashMask))
	add(output(ctxOff+ctxJiffies, headerSize, rbNoWakeup))
	// The round: chunks [first, first+count) of the hash's, cut at its end.
	add(asm.Instructions{
		asm.Mov.Imm(asm.R0, 0),
		asm.StoreMem(asm.RFP, mainScratch, asm.R0, asm.DWord), // the key: 0
		asm.LoadMapPtr(asm.R1, rng),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, mainScratch), // key 0 (zeroed)
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "exit"),
		asm.Mov.Reg(asm.R9, asm.R0), // the range's value, for the trailer
		asm.LoadMem(asm.R6, asm.R0, rangeFirst, asm.Word),
		asm.LoadMem(asm.R7, asm.R0, rangeCount, asm.Word),
		asm.StoreMem(asm.RFP, ctxOff+ctxFirst, asm.R6, asm.DWord),
		asm.LoadMem(asm.R1, asm.RFP, ctxOff+ctxMask, asm.Word),
		asm.Add.Imm(asm.R1, int32(chunk)), // buckets rounded up to chunks
		asm.RSh.Imm(asm.R1, int32(shift)),
		asm.JGT.Reg(asm.R1, asm.R6, "rest"),
		asm.Mov.Imm(asm.R1, 0), // first is past the end: nothing
		asm.Ja.Label("loop"),
		asm.Sub.Reg(asm.R1, asm.R6).WithSymbol("rest"), // chunks from first on
		asm.JGE.Reg(asm.R7, asm.R1, "loop"),
		asm.Mov.Reg(asm.R1, asm.R7),
		asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: asm.R2, Src: asm.PseudoFunc, Constant: -1}.WithReference("chunk").WithSymbol("loop"),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, ctxOff),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnLoop.Call(),
		asm.StoreMem(asm.RFP, ctxOff+ctxLoop, asm.R0, asm.DWord),
	})
	for i := 0; i < trailerSize; i += 8 {
		add(asm.Instructions{
			asm.LoadMem(asm.R0, asm.RFP, int16(ctxOff+ctxLost+i), asm.DWord),
			asm.StoreMem(asm.R9, int16(rangeTrailer+i), asm.R0, asm.DWord),
		})
	}
	add(asm.Instructions{
		asm.Mov.Imm(asm.R0, 0).WithSymbol("exit"),
		asm.Return(),
	})

	// chunk(k, ctx): R6 ctx, R7 the chunk's first bucket index, R8
	// ehash_mask. Reads the chunk's bucket heads at once, then for each
	// bucket (unrolled) with a chain: ctx.node = its first node, sock()
	// over the chain with bpf_loop (a loop of its own, so the verifier
	// checks the socket's code once, not once per chain position), and
	// the check that the nulls marker ending it is this bucket's (another
	// means a socket was freed and reused in another bucket while the
	// walk was on it: the kernel's lock-free lookups start again then).
	bucketFn := len(ins)
	add(asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R2),
		asm.Mov.Reg(asm.R7, asm.R1),
		asm.LoadMem(asm.R0, asm.R6, ctxFirst, asm.DWord),
		asm.Add.Reg(asm.R7, asm.R0),
		asm.LSh.Imm(asm.R7, int32(shift)),
		asm.LoadMem(asm.R8, asm.R6, ctxMask, asm.Word),
		asm.Mov.Reg(asm.R3, asm.R7),
		asm.Mul.Imm(asm.R3, int32(o.bucket)),
		asm.LoadMem(asm.R0, asm.R6, ctxEhash, asm.DWord),
		asm.Add.Reg(asm.R3, asm.R0),
	})
	add(rd(-chunkBytes, chunk*o.bucket, 0))
	for j := 0; j < chunk; j++ {
		here, next := fmt.Sprintf("slot%d", j), fmt.Sprintf("slot%d", j+1)
		end := fmt.Sprintf("end%d", j)
		add(asm.Instructions{
			asm.Mov.Reg(asm.R2, asm.R7).WithSymbol(here),
			asm.Add.Imm(asm.R2, int32(j)),
			asm.JGT.Reg(asm.R2, asm.R8, "chunkdone"), // past the last bucket
			asm.LoadMem(asm.R0, asm.RFP, int16(-chunkBytes+j*o.bucket), asm.DWord),
			asm.Mov.Reg(asm.R1, asm.R0),
			asm.And.Imm(asm.R1, 1),
			asm.JNE.Imm(asm.R1, 0, next), // an empty bucket (most are)
			asm.StoreMem(asm.R6, ctxNode, asm.R0, asm.DWord),
			asm.Mov.Imm(asm.R1, maxChain),
			asm.Instruction{OpCode: asm.LoadImmOp(asm.DWord), Dst: asm.R2, Src: asm.PseudoFunc, Constant: -1}.WithReference("sock"),
			asm.Mov.Reg(asm.R3, asm.R6),
			asm.Mov.Imm(asm.R4, 0),
			asm.FnLoop.Call(),
			asm.LoadMem(asm.R1, asm.R6, ctxNode, asm.DWord),
			asm.JNE.Imm(asm.R0, maxChain, end), // sock() ended the loop: the chain's end
			asm.Mov.Reg(asm.R0, asm.R1),
			asm.And.Imm(asm.R0, 1),
			asm.JNE.Imm(asm.R0, 0, end),
			asm.Mov.Imm(asm.R1, 1),
			asm.StoreMem(asm.R6, ctxCut, asm.R1, asm.DWord),
			asm.Ja.Label(next),
			asm.RSh.Imm(asm.R1, 1).WithSymbol(end),
			asm.Mov.Reg(asm.R2, asm.R7),
			asm.Add.Imm(asm.R2, int32(j)),
			asm.JEq.Reg(asm.R1, asm.R2, next),
			asm.Mov.Imm(asm.R1, 1),
			asm.StoreMem(asm.R6, ctxMoved, asm.R1, asm.DWord),
		})
	}
	add(asm.Instructions{
		asm.Mov.Imm(asm.R0, 0).WithSymbol(fmt.Sprintf("slot%d", chunk)),
		asm.Ja.Label("chunkdone"),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("chunkdone"),
		asm.Return(),
	})

	// sock(j, ctx): R6 ctx, R7 the socket, R9 its node. Returns 1 at the
	// chain's end (a nulls marker), else writes the socket's record and
	// moves ctx.node on.
	sock := len(ins)
	add(asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R2),
		asm.LoadMem(asm.R9, asm.R6, ctxNode, asm.DWord),
		asm.Mov.Reg(asm.R1, asm.R9),
		asm.And.Imm(asm.R1, 1),
		asm.JEq.Imm(asm.R1, 0, "sk"),
		asm.Mov.Imm(asm.R0, 1),
		asm.Return(),
		asm.Mov.Reg(asm.R7, asm.R9).WithSymbol("sk"),
		asm.Sub.Imm(asm.R7, int32(o.nulls)),
		asm.Mov.Reg(asm.R3, asm.R7),
	})
	add(rd(bHead, o.head, 0))
	add(zero(bRec, recordSize))
	// Its namespace first: a socket of a namespace not wanted costs no
	// more reads and no record.
	add(follow(bHead+o.net, "next"), rd(bRec+recInum, 4, o.inum))
	add(asm.Instructions{
		asm.LoadMapPtr(asm.R1, want),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, bRec+recInum),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "next"),
	})
	cp := func(from, to int, sz asm.Size) asm.Instructions {
		return asm.Instructions{
			asm.LoadMem(asm.R0, asm.RFP, int16(bHead+from), sz),
			asm.StoreMem(asm.RFP, int16(bRec+to), asm.R0, sz),
		}
	}
	add(cp(o.state, recState, asm.Byte), cp(o.family, recFamily, asm.Byte),
		cp(o.num, recNum, asm.Half), cp(o.dport, recDport, asm.Half),
		cp(o.rcvSaddr, recSaddr4, asm.Word), cp(o.daddr, recDaddr4, asm.Word),
		cp(o.cookie, recCookie, asm.DWord))
	for i := 0; i < 16; i += 4 {
		add(cp(o.v6saddr+i, recSaddr6+i, asm.Word), cp(o.v6daddr+i, recDaddr6+i, asm.Word))
	}
	add(asm.Instructions{
		asm.LoadMem(asm.R0, asm.RFP, int16(bHead+o.state), asm.Byte),
		asm.JEq.Imm(asm.R0, stateTimeWait, "tw"),
		asm.JEq.Imm(asm.R0, stateNewSynRecv, "req"),
		asm.Mov.Reg(asm.R3, asm.R7),
	})
	// A full socket: its uid, inode and cgroup.
	add(rd(bRec+recUID, 4, o.uid))
	add(asm.Instructions{asm.Mov.Reg(asm.R3, asm.R7)})
	add(rd(bScratch, 8, o.socket), follow(bScratch, "cg"), rd(bRec+recIno, 8, o.ino))
	add(asm.Instructions{asm.Mov.Reg(asm.R3, asm.R7).WithSymbol("cg")})
	add(rd(bScratch, 8, o.cgroup), follow(bScratch, "out"))
	add(rd(bScratch, 8, o.cgroupKN), follow(bScratch, "out"))
	add(rd(bRec+recCgroup, 8, o.knID))
	add(asm.Instructions{asm.Ja.Label("out")})
	// A timewait socket: when its timer fires, and the state it stands
	// for (TIME_WAIT, or FIN_WAIT2 for one orphaned before its peer's FIN).
	add(asm.Instructions{asm.Mov.Reg(asm.R3, asm.R7).WithSymbol("tw")})
	add(rd(bRec+recExpires, 8, o.twExpires))
	add(asm.Instructions{asm.Mov.Reg(asm.R3, asm.R7)})
	add(rd(bRec+recSubstate, 1, o.twSubstate))
	add(asm.Instructions{asm.Ja.Label("out")})
	// A request socket: its listener's uid.
	add(asm.Instructions{asm.Mov.Reg(asm.R3, asm.R7).WithSymbol("req")})
	add(rd(bScratch, 8, o.listener), follow(bScratch, "out"), rd(bRec+recUID, 4, o.uid))
	out := output(bRec, recordSize, rbNoWakeup)
	out[0] = out[0].WithSymbol("out")
	add(out)
	add(asm.Instructions{
		asm.JEq.Imm(asm.R0, 0, "next"),
		asm.LoadMem(asm.R1, asm.R6, ctxLost, asm.DWord),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R6, ctxLost, asm.R1, asm.DWord),
		asm.Mov.Reg(asm.R3, asm.R9).WithSymbol("next"),
	})
	add(rd(bNode, 8, 0)) // hlist_nulls_node.next
	add(asm.Instructions{
		asm.LoadMem(asm.R0, asm.RFP, bNode, asm.DWord),
		asm.StoreMem(asm.R6, ctxNode, asm.R0, asm.DWord),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	})
	ins[bucketFn] = ins[bucketFn].WithSymbol("chunk")
	ins[sock] = ins[sock].WithSymbol("sock")

	// Functions need BTF func info (bpf_loop's callback is one).
	long := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	voidp := &btf.Pointer{Target: &btf.Void{}}
	fn := func(name string, params ...btf.FuncParam) *btf.Func {
		return &btf.Func{Name: name, Linkage: btf.StaticFunc, Type: &btf.FuncProto{Return: long, Params: params}}
	}
	ins[0] = btf.WithFuncMetadata(ins[0], fn("walk", btf.FuncParam{Name: "ctx", Type: voidp}))
	for _, f := range []struct {
		at   int
		name string
	}{{bucketFn, "chunk"}, {sock, "sock"}} {
		ins[f.at] = btf.WithFuncMetadata(ins[f.at], fn(f.name, btf.FuncParam{Name: "i", Type: long}, btf.FuncParam{Name: "ctx", Type: voidp}))
	}
	return ins
}
