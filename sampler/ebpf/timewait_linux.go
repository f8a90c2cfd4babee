//go:build linux

package ebpf

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// The timewait program tells when a closing TCP socket hands its port to a
// timewait socket, in which substate and for how long: what netlink's
// destroy report left to a lookup. Linux has no tracepoint for it and, on
// some kernels (this one: 6.18 in a Firecracker VM), fentry programs may
// not load at all (EPERM for any function), so it watches the timewait
// socket's timer being armed: the classic tracepoint timer:timer_start
// with function == tw_timer_handler (its address from /proc/kallsyms).
// inet_twsk_schedule arms it inside tcp_time_wait, once the timewait
// socket exists (none is made when tcp_max_tw_buckets is reached), just
// before the closing socket goes to CLOSE, on the same CPU: the record is
// read before that transition. The timer is re-armed when a FIN_WAIT2
// timewait socket receives its peer's FIN and turns TIME_WAIT (and on a
// retransmitted FIN): such records have no CLOSE after them and are let
// go (handovers).
//
// The program reads the timewait socket (container_of the timer) with
// bpf_probe_read_kernel at offsets from the kernel's BTF: tw_substate, and
// sock_common's cookie (inherited from the closing socket, which the
// cookie program gave one at its first transition), family, addresses,
// ports and namespace. timeo is the timer's expires - now, in jiffies.
// Its cost: one load and compare for every timer armed in the kernel.

// twHandler is the timer function of timewait sockets.
const twHandler = "tw_timer_handler"

// twOffsets are the byte offsets the timewait program reads from the
// timewait socket.
type twOffsets struct {
	timer    int // inet_timewait_sock.tw_timer
	substate int // inet_timewait_sock.tw_substate (u8)
	cookie   int // sock_common.skc_cookie (u64)
	family   int // skc_family (u16)
	dport    int // skc_dport (__be16)
	num      int // skc_num (u16, host order)
	daddr    int // skc_daddr (__be32)
	saddr    int // skc_rcv_saddr (__be32)
	v6daddr  int // skc_v6_daddr
	v6saddr  int // skc_v6_rcv_saddr
	net      int // skc_net.net
	netInum  int // struct net: ns.inum
}

func kernelTWOffsets() (twOffsets, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return twOffsets{}, fmt.Errorf("no kernel BTF: %w", err)
	}
	var o twOffsets
	if err := fieldOffsets(spec, []btfField{
		{&o.timer, "inet_timewait_sock", "tw_timer"},
		{&o.substate, "inet_timewait_sock", "tw_substate"},
		{&o.cookie, "inet_timewait_sock", "__tw_common.skc_cookie"},
		{&o.family, "inet_timewait_sock", "__tw_common.skc_family"},
		{&o.dport, "inet_timewait_sock", "__tw_common.skc_dport"},
		{&o.num, "inet_timewait_sock", "__tw_common.skc_num"},
		{&o.daddr, "inet_timewait_sock", "__tw_common.skc_daddr"},
		{&o.saddr, "inet_timewait_sock", "__tw_common.skc_rcv_saddr"},
		{&o.v6daddr, "inet_timewait_sock", "__tw_common.skc_v6_daddr"},
		{&o.v6saddr, "inet_timewait_sock", "__tw_common.skc_v6_rcv_saddr"},
		{&o.net, "inet_timewait_sock", "__tw_common.skc_net.net"},
		{&o.netInum, "net", "ns.inum"},
	}); err != nil {
		return twOffsets{}, err
	}
	return o, nil
}

// kernelSymbol is the address of a kernel function from /proc/kallsyms
// (0 and an error when it is absent or hidden: kptr_restrict, no root).
func kernelSymbol(name string) (uint64, error) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasSuffix(line, " "+name) {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[2] != name {
			continue
		}
		addr, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil || addr == 0 {
			return 0, errors.New("/proc/kallsyms hides kernel addresses (kernel.kptr_restrict)")
		}
		return addr, nil
	}
	return 0, fmt.Errorf("the kernel has no %s in /proc/kallsyms", name)
}

// timeWaitProgram writes a kindTimeWait record for each timewait socket's
// timer armed: cookie, substate (as new state), timeo (as ret, jiffies),
// family, addresses, ports and namespace of the timewait socket. R6 holds
// the context, R7 the timewait socket's address (a number: it is read
// with bpf_probe_read_kernel).
func timeWaitProgram(f Format, tw twOffsets, handler uint64, m maps) (asm.Instructions, error) {
	fn, err := f.Need("function", 8)
	if err != nil {
		return nil, err
	}
	timer, err := f.Need("timer", 8)
	if err != nil {
		return nil, err
	}
	expires, err := f.Need("expires", 8)
	if err != nil {
		return nil, err
	}
	now, err := f.Need("now", 8)
	if err != nil {
		return nil, err
	}
	// read copies n bytes at the timewait socket plus off to the stack.
	read := func(dst int16, n int32, off int) asm.Instructions {
		return append(asm.Instructions{asm.Mov.Reg(asm.R3, asm.R7)}, readKernel(dst, n, off)...)
	}
	ins := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.LoadMem(asm.R0, asm.R6, int16(fn.Offset), asm.DWord),
		asm.LoadImm(asm.R1, int64(handler), asm.DWord),
		asm.JNE.Reg(asm.R0, asm.R1, "exit"),
		asm.LoadMem(asm.R7, asm.R6, int16(timer.Offset), asm.DWord),
		asm.Add.Imm(asm.R7, int32(-tw.timer)),
	}
	ins = append(ins, zeroStack(recBase, recordSize)...)
	ins = append(ins,
		asm.StoreImm(asm.RFP, recBase+offKind, kindTimeWait, asm.Word),
		asm.StoreImm(asm.RFP, recBase+offProto, 6, asm.Half),
		asm.LoadMem(asm.R0, asm.R6, int16(expires.Offset), asm.DWord),
		asm.LoadMem(asm.R1, asm.R6, int16(now.Offset), asm.DWord),
		asm.Sub.Reg(asm.R0, asm.R1),
		asm.StoreMem(asm.RFP, recBase+offRet, asm.R0, asm.Word),
	)
	// The substate and the destination port go through the scratch word:
	// one is a byte widened to the record's u32, the other in network
	// order turned to host order.
	ins = append(ins, zeroStack(stackScratch, 8)...)
	ins = append(ins, read(stackScratch, 1, tw.substate)...)
	ins = append(ins,
		asm.LoadMem(asm.R0, asm.RFP, stackScratch, asm.Byte),
		asm.StoreMem(asm.RFP, recBase+offNew, asm.R0, asm.Word),
	)
	ins = append(ins, read(stackScratch, 2, tw.dport)...)
	ins = append(ins,
		asm.LoadMem(asm.R0, asm.RFP, stackScratch, asm.Half),
		asm.HostTo(asm.BE, asm.R0, asm.Half),
		asm.StoreMem(asm.RFP, recBase+offDport, asm.R0, asm.Half),
	)
	ins = append(ins, read(recBase+offCookie, 8, tw.cookie)...)
	ins = append(ins, read(recBase+offFamily, 2, tw.family)...)
	ins = append(ins, read(recBase+offSport, 2, tw.num)...)
	ins = append(ins, read(recBase+offDaddr4, 4, tw.daddr)...)
	ins = append(ins, read(recBase+offSaddr4, 4, tw.saddr)...)
	ins = append(ins, read(recBase+offDaddr6, 16, tw.v6daddr)...)
	ins = append(ins, read(recBase+offSaddr6, 16, tw.v6saddr)...)
	ins = append(ins, read(stackScratch, 8, tw.net)...)
	ins = append(ins, asm.LoadMem(asm.R3, asm.RFP, stackScratch, asm.DWord))
	ins = append(ins, readKernel(recBase+offNetns, 4, tw.netInum)...)
	ins = append(ins, m.onlyNetns(true)...)
	ins = append(ins,
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.RFP, recBase+offKtime, asm.R0, asm.DWord),
	)
	ins = append(ins, output(m)...)
	return append(ins, exit()...), nil
}

// attachTimeWait loads and attaches the timewait program (only with the
// cookie program: its records complete the cookie program's CLOSE
// transitions).
func (p *Probe) attachTimeWait(dir string, m maps) error {
	o, err := kernelTWOffsets()
	if err != nil {
		return err
	}
	handler, err := kernelSymbol(twHandler)
	if err != nil {
		return err
	}
	f, err := readFormat(dir, "timer", "timer_start")
	if err != nil {
		return err
	}
	ins, err := timeWaitProgram(f, o, handler, m)
	if err != nil {
		return err
	}
	if err := p.attach("porttop_tw", "timer", "timer_start", ins); err != nil {
		return err
	}
	p.timewait = true
	p.hz = kernelHZ()
	return nil
}

// TimeWaits reports whether the timewait program runs: each hand-over to a
// timewait socket comes as a record before its CLOSE transition.
func (p *Probe) TimeWaits() bool { return p.timewait }

// kernelHZ is the kernel's CONFIG_HZ from /proc/config.gz, 0 when unknown
// (a record's timeo, in jiffies, is then taken as TCP_TIMEWAIT_LEN).
func kernelHZ() int {
	f, err := os.Open("/proc/config.gz")
	if err != nil {
		return 0
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(z)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CONFIG_HZ="); ok {
			hz, err := strconv.Atoi(v)
			if err == nil && hz > 0 {
				return hz
			}
			return 0
		}
	}
	return 0
}
