//go:build linux

package ebpf

import (
	"fmt"
	"os"
	"syscall"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/porttop/porttop/sampler/internal/kbtf"
)

// netnsOffsets are where the kernel keeps a socket's and a task's network
// namespace, read from its BTF (/sys/kernel/btf/vmlinux) so that the
// programs can tag each record with the namespace's inode number. The
// tracepoints report every namespace's sockets; netlink sees only
// porttop's, and the source keeps to that.
type netnsOffsets struct {
	skcNet      int // struct sock_common: skc_net.net (struct net *)
	netInum     int // struct net: ns.inum
	taskNsproxy int // struct task_struct: nsproxy
	nsproxyNet  int // struct nsproxy: net_ns
}

func kernelNetnsOffsets() (netnsOffsets, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return netnsOffsets{}, fmt.Errorf("no kernel BTF: %w", err)
	}
	var o netnsOffsets
	for _, f := range []struct {
		dst       *int
		typ, path string
	}{
		{&o.skcNet, "sock_common", "skc_net.net"},
		{&o.netInum, "net", "ns.inum"},
		{&o.taskNsproxy, "task_struct", "nsproxy"},
		{&o.nsproxyNet, "nsproxy", "net_ns"},
	} {
		var st *btf.Struct
		if err := spec.TypeByName(f.typ, &st); err != nil {
			return netnsOffsets{}, fmt.Errorf("kernel BTF: struct %s: %w", f.typ, err)
		}
		off, err := kbtf.Offset(st, f.path)
		if err != nil {
			return netnsOffsets{}, fmt.Errorf("kernel BTF: %s.%s: %w", f.typ, f.path, err)
		}
		*f.dst = off
	}
	return o, nil
}

// readKernel reads n bytes at the kernel address in R3 plus off into the
// stack at dst (zeroed on a fault), clobbering R0-R5.
func readKernel(dst int16, n int32, off int) asm.Instructions {
	return asm.Instructions{
		asm.Add.Imm(asm.R3, int32(off)),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, int32(dst)),
		asm.Mov.Imm(asm.R2, n),
		asm.FnProbeReadKernel.Call(),
	}
}

// socketNetns writes the namespace of the socket at the record's skaddr
// into the record.
func (o *netnsOffsets) socketNetns() asm.Instructions {
	if o == nil {
		return nil
	}
	ins := asm.Instructions{asm.LoadMem(asm.R3, asm.RFP, recBase+offSkaddr, asm.DWord)}
	ins = append(ins, readKernel(stackScratch, 8, o.skcNet)...)
	ins = append(ins, asm.LoadMem(asm.R3, asm.RFP, stackScratch, asm.DWord))
	return append(ins, readKernel(recBase+offNetns, 4, o.netInum)...)
}

// taskNetns writes the calling task's network namespace into the record.
func (o *netnsOffsets) taskNetns() asm.Instructions {
	if o == nil {
		return nil
	}
	ins := asm.Instructions{asm.FnGetCurrentTask.Call(), asm.Mov.Reg(asm.R3, asm.R0)}
	ins = append(ins, readKernel(stackScratch, 8, o.taskNsproxy)...)
	ins = append(ins, asm.LoadMem(asm.R3, asm.RFP, stackScratch, asm.DWord))
	ins = append(ins, readKernel(stackScratch, 8, o.nsproxyNet)...)
	ins = append(ins, asm.LoadMem(asm.R3, asm.RFP, stackScratch, asm.DWord))
	return append(ins, readKernel(recBase+offNetns, 4, o.netInum)...)
}

// OwnNetns is the inode number of porttop's network namespace.
func OwnNetns() (uint32, error) {
	fi, err := os.Stat("/proc/self/ns/net")
	if err != nil {
		return 0, err
	}
	return uint32(fi.Sys().(*syscall.Stat_t).Ino), nil
}
