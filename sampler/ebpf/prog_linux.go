//go:build linux

package ebpf

import (
	"github.com/cilium/ebpf/asm"
)

// The kernel programs, written instruction by instruction with cilium/ebpf's
// asm package so that nothing needs clang and nothing is generated. Each one
// builds a record (record.go's layout) on its stack and writes it to the
// events map. Register use: R6 holds the tracepoint's context for the whole
// program, R7 a map value; R0-R5 are clobbered by every helper call.

// Stack layout shared by the programs.
const (
	stackKey     = -8                      // u64 pid_tgid, the args map key
	stackStatKey = -12                     // u32 index into the stats map
	stackScratch = -24                     // u64 a kernel pointer being followed
	stackArgs    = -48                     // argsValueSize bytes: a sockaddr and its kind
	recBase      = -(recordSize + 48 + 16) // the record
	argsValSize  = 40                      // [32]sockaddr, u32 kind, pad
	argsKindOff  = 32
)

// Indexes of the stats array.
const (
	statDropped = 0 // records the events map had no room for
	statConnect = 1 // failed connects (EADDRNOTAVAIL)
	statBind    = 2 // failed port-0 binds (EADDRINUSE)
	statCount   = 3
)

// maps are the file descriptors the programs refer to.
type maps struct {
	events  int
	args    int
	stats   int
	ringbuf bool          // events is a ring buffer, else a perf event array
	netns   *netnsOffsets // nil: records carry no namespace
	// only, when not 0, is the one namespace whose records are written
	// (the programs drop every other's in the kernel); 0: all.
	only uint32
}

// onlyNetns drops the record being built unless its namespace (written at
// offNetns) is m.only; known says the program wrote the namespace.
func (m maps) onlyNetns(known bool) asm.Instructions {
	if m.only == 0 || !known {
		return nil
	}
	return asm.Instructions{
		asm.LoadMem(asm.R0, asm.RFP, recBase+offNetns, asm.Word),
		asm.JNE.Imm32(asm.R0, int32(m.only), "exit"),
	}
}

func sized(n int) asm.Size {
	switch n {
	case 8:
		return asm.DWord
	case 4:
		return asm.Word
	case 2:
		return asm.Half
	}
	return asm.Byte
}

// labelled gives the first instruction a jump label.
func labelled(name string, ins ...asm.Instruction) asm.Instructions {
	ins[0] = ins[0].WithSymbol(name)
	return ins
}

// zeroStack zeroes n bytes (a multiple of 8) of the stack from off, using
// R1 (there is no 64-bit store of an immediate).
func zeroStack(off, n int) asm.Instructions {
	ins := asm.Instructions{asm.Mov.Imm(asm.R1, 0)}
	for i := 0; i < n; i += 8 {
		ins = append(ins, asm.StoreMem(asm.RFP, int16(off+i), asm.R1, asm.DWord))
	}
	return ins
}

// copyField copies a tracepoint field from the context (R6) into the record
// at dst, in the widest loads the alignment of both ends allows (the
// verifier rejects unaligned context reads).
func copyField(f Field, dst int) asm.Instructions {
	var ins asm.Instructions
	o, d, n := f.Offset, recBase+dst, f.Size
	for n > 0 {
		sz := 8
		for sz > 1 && (sz > n || o%sz != 0 || d%sz != 0) {
			sz /= 2
		}
		ins = append(ins,
			asm.LoadMem(asm.R0, asm.R6, int16(o), sized(sz)),
			asm.StoreMem(asm.RFP, int16(d), asm.R0, sized(sz)),
		)
		o, d, n = o+sz, d+sz, n-sz
	}
	return ins
}

// process fills the record's time and acting process.
func process() asm.Instructions {
	return asm.Instructions{
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.RFP, recBase+offKtime, asm.R0, asm.DWord),
		asm.FnGetCurrentPidTgid.Call(),
		asm.StoreMem(asm.RFP, recBase+offPidTgid, asm.R0, asm.DWord),
		asm.FnGetCurrentUidGid.Call(),
		asm.StoreMem(asm.RFP, recBase+offUidGid, asm.R0, asm.DWord),
		asm.FnGetCurrentCgroupId.Call(),
		asm.StoreMem(asm.RFP, recBase+offCgroup, asm.R0, asm.DWord),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, recBase+offComm),
		asm.Mov.Imm(asm.R2, 16),
		asm.FnGetCurrentComm.Call(),
	}
}

// bump adds one to stats[idx]; name makes its label unique.
func bump(m maps, idx int32, name string) asm.Instructions {
	return asm.Instructions{
		asm.StoreImm(asm.RFP, stackStatKey, int64(idx), asm.Word),
		asm.LoadMapPtr(asm.R1, m.stats),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackStatKey),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, name),
		asm.Mov.Imm(asm.R1, 1),
		asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
		asm.Mov.Imm(asm.R0, 0).WithSymbol(name),
	}
}

// output writes the record to the events map and counts it as dropped when
// there was no room.
func output(m maps) asm.Instructions {
	var ins asm.Instructions
	if m.ringbuf {
		// Flags 0: the kernel wakes the reader only when it had read
		// everything before this record; the reader, once woken, waits
		// a moment before reading again (coalesce), so that a busy
		// stream costs one wakeup per batch and an idle one none.
		ins = asm.Instructions{
			asm.LoadMapPtr(asm.R1, m.events),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, recBase),
			asm.Mov.Imm(asm.R3, recordSize),
			asm.Mov.Imm(asm.R4, 0),
			asm.FnRingbufOutput.Call(),
		}
	} else {
		ins = asm.Instructions{
			asm.Mov.Reg(asm.R1, asm.R6),
			asm.LoadMapPtr(asm.R2, m.events),
			asm.LoadImm(asm.R3, 0xffffffff, asm.DWord), // BPF_F_CURRENT_CPU
			asm.Mov.Reg(asm.R4, asm.RFP),
			asm.Add.Imm(asm.R4, recBase),
			asm.Mov.Imm(asm.R5, recordSize),
			asm.FnPerfEventOutput.Call(),
		}
	}
	ins = append(ins, asm.JSGE.Imm(asm.R0, 0, "written"))
	ins = append(ins, bump(m, statDropped, "dropcounted")...)
	return append(ins, asm.Mov.Imm(asm.R0, 0).WithSymbol("written"))
}

func exit() asm.Instructions {
	return labelled("exit", asm.Mov.Imm(asm.R0, 0), asm.Return())
}

// stateFields are the inet_sock_set_state fields the program copies, with
// their sizes and where they go in the record.
var stateFields = []struct {
	name      string
	size, dst int
}{
	{"skaddr", 8, offSkaddr},
	{"oldstate", 4, offOld},
	{"newstate", 4, offNew},
	{"sport", 2, offSport},
	{"dport", 2, offDport},
	{"family", 2, offFamily},
	{"protocol", 2, offProto},
	{"saddr", 4, offSaddr4},
	{"daddr", 4, offDaddr4},
	{"saddr_v6", 16, offSaddr6},
	{"daddr_v6", 16, offDaddr6},
}

// stateProgram streams every TCP socket's state change.
func stateProgram(f Format, m maps) (asm.Instructions, error) {
	proto, err := f.Need("protocol", 2)
	if err != nil {
		return nil, err
	}
	ins := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.LoadMem(asm.R0, asm.R6, int16(proto.Offset), asm.Half),
		asm.JNE.Imm(asm.R0, 6, "exit"), // IPPROTO_TCP only (not SCTP, not MPTCP's parent)
	}
	ins = append(ins, zeroStack(recBase, recordSize)...)
	for _, sf := range stateFields {
		fd, err := f.Need(sf.name, sf.size)
		if err != nil {
			return nil, err
		}
		ins = append(ins, copyField(fd, sf.dst)...)
	}
	ins = append(ins, asm.StoreImm(asm.RFP, recBase+offKind, kindState, asm.Word))
	ins = append(ins, m.netns.socketNetns()...)
	ins = append(ins, m.onlyNetns(m.netns != nil)...)
	ins = append(ins, process()...)
	ins = append(ins, output(m)...)
	return append(ins, exit()...), nil
}

// enterProgram remembers the sockaddr a connect or bind was called with,
// keyed by the calling thread, for exitProgram. A bind remembers only a
// request for port 0 (any free port).
func enterProgram(f Format, addrField string, kind int32, m maps) (asm.Instructions, error) {
	addr, err := f.Need(addrField, 8)
	if err != nil {
		return nil, err
	}
	read := func(n int32) asm.Instructions {
		return asm.Instructions{
			asm.Mov.Reg(asm.R1, asm.RFP),
			asm.Add.Imm(asm.R1, stackArgs),
			asm.Mov.Imm(asm.R2, n),
			asm.LoadMem(asm.R3, asm.R6, int16(addr.Offset), asm.DWord),
			asm.FnProbeReadUser.Call(),
			asm.JNE.Imm(asm.R0, 0, "exit"),
		}
	}
	ins := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.FnGetCurrentPidTgid.Call(),
		asm.StoreMem(asm.RFP, stackKey, asm.R0, asm.DWord),
	}
	ins = append(ins, zeroStack(stackArgs, argsValSize)...)
	ins = append(ins, asm.StoreImm(asm.RFP, stackArgs+argsKindOff, int64(kind), asm.Word))
	ins = append(ins, read(16)...) // sockaddr_in, or the head of a sockaddr_in6
	ins = append(ins,
		asm.LoadMem(asm.R0, asm.RFP, stackArgs, asm.Half),
		asm.JEq.Imm(asm.R0, afInet, "family"),
		asm.JNE.Imm(asm.R0, afInet6, "exit"),
	)
	ins = append(ins, read(28)...) // all of a sockaddr_in6
	store := asm.Instructions{
		asm.LoadMapPtr(asm.R1, m.args),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackKey),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, stackArgs),
		asm.Mov.Imm(asm.R4, 0), // BPF_ANY
		asm.FnMapUpdateElem.Call(),
	}
	if kind == kindBind {
		store = append(asm.Instructions{
			asm.LoadMem(asm.R0, asm.RFP, stackArgs+2, asm.Half), // sin_port
			asm.JNE.Imm(asm.R0, 0, "exit"),
		}, store...)
	}
	ins = append(ins, labelled("family", store...)...)
	return append(ins, exit()...), nil
}

// exitProgram reports a connect or bind of the calling thread that returned
// -errno, with the sockaddr enterProgram remembered, and forgets it.
func exitProgram(f Format, kind int32, errno int32, stat int32, m maps) (asm.Instructions, error) {
	ret, err := f.Need("ret", 8)
	if err != nil {
		return nil, err
	}
	ins := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.FnGetCurrentPidTgid.Call(),
		asm.StoreMem(asm.RFP, stackKey, asm.R0, asm.DWord),
		asm.LoadMapPtr(asm.R1, m.args),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackKey),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "exit"),
		asm.Mov.Reg(asm.R7, asm.R0),
		asm.LoadMem(asm.R0, asm.R7, argsKindOff, asm.Word),
		asm.JNE.Imm(asm.R0, kind, "exit"), // the other call's entry: leave it
		asm.LoadMem(asm.R0, asm.R6, int16(ret.Offset), asm.DWord),
		asm.JNE.Imm(asm.R0, -errno, "forget"),
	}
	ins = append(ins, zeroStack(recBase, recordSize)...)
	for i := 0; i < 32; i += 8 {
		ins = append(ins,
			asm.LoadMem(asm.R0, asm.R7, int16(i), asm.DWord),
			asm.StoreMem(asm.RFP, int16(recBase+offSockaddr+i), asm.R0, asm.DWord),
		)
	}
	ins = append(ins,
		asm.StoreImm(asm.RFP, recBase+offKind, int64(kind), asm.Word),
		asm.StoreImm(asm.RFP, recBase+offRet, int64(-errno), asm.Word),
	)
	ins = append(ins, m.netns.taskNetns()...)
	ins = append(ins, m.onlyNetns(m.netns != nil)...)
	ins = append(ins, process()...)
	ins = append(ins, bump(m, stat, "failcounted")...)
	ins = append(ins, output(m)...)
	ins = append(ins, labelled("forget",
		asm.LoadMapPtr(asm.R1, m.args),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackKey),
		asm.FnMapDeleteElem.Call(),
	)...)
	return append(ins, exit()...), nil
}
