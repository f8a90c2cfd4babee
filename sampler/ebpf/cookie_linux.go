//go:build linux

package ebpf

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/porttop/porttop/sampler/internal/kbtf"
)

// The cookie program: a BTF-enabled tracepoint program (tp_btf, Linux
// 5.5+) on inet_sock_set_state, whose context is the tracepoint's
// arguments, not its trace record: args[0] the struct sock, args[1] the old
// state, args[2] the new one. Unlike the classic tracepoint program it can
// call bpf_get_socket_cookie (offered to tracing programs since Linux 5.12),
// the number sock_diag reports as the socket's cookie, and it reads the
// socket's addresses, ports and namespace from the socket itself, at
// offsets from the kernel's BTF. Loads through the socket pointer are
// checked by the verifier against BTF and cannot fault.

// sockOffsets are the byte offsets the cookie program reads in struct sock.
type sockOffsets struct {
	daddr, saddr     int // sock_common.skc_daddr, inet_sock.inet_saddr (__be32)
	dport, sport     int // skc_dport, inet_sock.inet_sport (__be16)
	family           int // skc_family (u16)
	v6daddr, v6saddr int // skc_v6_daddr, skc_v6_rcv_saddr (struct in6_addr)
	net              int // skc_net.net (struct net *)
	protocol         int // sock.sk_protocol (u16, not a bit field: Linux 5.6+)
	netInum          int // struct net: ns.inum
}

func kernelSockOffsets() (sockOffsets, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return sockOffsets{}, fmt.Errorf("no kernel BTF: %w", err)
	}
	var o sockOffsets
	if err := fieldOffsets(spec, []btfField{
		{&o.daddr, "sock_common", "skc_daddr"},
		{&o.dport, "sock_common", "skc_dport"},
		// What the classic tracepoint reports, and what survives the
		// port's release: the kernel clears skc_num before it reports a
		// socket going to CLOSE.
		{&o.saddr, "inet_sock", "inet_saddr"},
		{&o.sport, "inet_sock", "inet_sport"},
		{&o.family, "sock_common", "skc_family"},
		{&o.v6daddr, "sock_common", "skc_v6_daddr"},
		{&o.v6saddr, "sock_common", "skc_v6_rcv_saddr"},
		{&o.net, "sock_common", "skc_net.net"},
		{&o.protocol, "sock", "sk_protocol"},
		{&o.netInum, "net", "ns.inum"},
	}); err != nil {
		return sockOffsets{}, err
	}
	// sock_common begins struct sock, which begins inet_sock, which
	// begins tcp_sock: their offsets all hold from the socket's address.
	for _, f := range [][2]string{{"sock", "__sk_common"}, {"inet_sock", "sk"}, {"tcp_sock", "inet_conn.icsk_inet"}} {
		var st *btf.Struct
		if err := spec.TypeByName(f[0], &st); err != nil {
			return sockOffsets{}, fmt.Errorf("kernel BTF: struct %s: %w", f[0], err)
		}
		if off, err := kbtf.Offset(st, f[1]); err != nil || off != 0 {
			return sockOffsets{}, fmt.Errorf("kernel BTF: struct %s does not begin with its %s", f[0], f[1])
		}
	}
	return o, nil
}

// cookieProgram streams every TCP socket's state change with its cookie.
// R6 holds the context (the arguments), R7 the socket, R8 the same socket
// as a tcp_sock (bpf_skc_to_tcp_sock, Linux 5.9+): the verifier lets a
// program read inet_sock's fields only through a pointer of that type.
func cookieProgram(o sockOffsets, m maps) asm.Instructions {
	ld := func(sz asm.Size, off int, dst int) asm.Instructions {
		return asm.Instructions{
			asm.LoadMem(asm.R0, asm.R7, int16(off), sz),
			asm.StoreMem(asm.RFP, int16(recBase+dst), asm.R0, sz),
		}
	}
	ins := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.LoadMem(asm.R7, asm.R6, 0, asm.DWord), // args[0]: sk
		asm.JEq.Imm(asm.R7, 0, "exit"),
		asm.LoadMem(asm.R0, asm.R7, int16(o.protocol), asm.Half),
		asm.JNE.Imm(asm.R0, 6, "exit"), // IPPROTO_TCP only, as the classic program
		asm.Mov.Reg(asm.R1, asm.R7),
		asm.FnSkcToTcpSock.Call(),
		asm.JEq.Imm(asm.R0, 0, "exit"),
		asm.Mov.Reg(asm.R8, asm.R0),
	}
	ins = append(ins, zeroStack(recBase, recordSize)...)
	ins = append(ins,
		asm.StoreMem(asm.RFP, recBase+offSkaddr, asm.R7, asm.DWord),
		asm.LoadMem(asm.R0, asm.R6, 8, asm.DWord), // args[1]: old state
		asm.StoreMem(asm.RFP, recBase+offOld, asm.R0, asm.Word),
		asm.LoadMem(asm.R0, asm.R6, 16, asm.DWord), // args[2]: new state
		asm.StoreMem(asm.RFP, recBase+offNew, asm.R0, asm.Word),
		asm.StoreImm(asm.RFP, recBase+offProto, 6, asm.Half),
		asm.StoreImm(asm.RFP, recBase+offKind, kindState, asm.Word),
		asm.LoadMem(asm.R0, asm.R7, int16(o.dport), asm.Half),
		asm.HostTo(asm.BE, asm.R0, asm.Half), // network to host order
		asm.StoreMem(asm.RFP, recBase+offDport, asm.R0, asm.Half),
	)
	ins = append(ins,
		asm.LoadMem(asm.R0, asm.R8, int16(o.sport), asm.Half),
		asm.HostTo(asm.BE, asm.R0, asm.Half),
		asm.StoreMem(asm.RFP, recBase+offSport, asm.R0, asm.Half),
	)
	ins = append(ins, ld(asm.Half, o.family, offFamily)...)
	ins = append(ins,
		asm.LoadMem(asm.R0, asm.R8, int16(o.saddr), asm.Word),
		asm.StoreMem(asm.RFP, recBase+offSaddr4, asm.R0, asm.Word),
	)
	ins = append(ins, ld(asm.Word, o.daddr, offDaddr4)...)
	for i := 0; i < 16; i += 8 {
		ins = append(ins, ld(asm.DWord, o.v6saddr+i, offSaddr6+i)...)
		ins = append(ins, ld(asm.DWord, o.v6daddr+i, offDaddr6+i)...)
	}
	ins = append(ins,
		asm.LoadMem(asm.R1, asm.R7, int16(o.net), asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "nonet"),
		asm.LoadMem(asm.R0, asm.R1, int16(o.netInum), asm.Word),
		asm.StoreMem(asm.RFP, recBase+offNetns, asm.R0, asm.Word),
	)
	ins = append(ins, m.onlyNetns(true)...)
	ins = append(ins,
		asm.Mov.Reg(asm.R1, asm.R7).WithSymbol("nonet"),
		asm.FnGetSocketCookie.Call(), // bpf_get_socket_ptr_cookie in tracing programs
		asm.StoreMem(asm.RFP, recBase+offCookie, asm.R0, asm.DWord),
	)
	ins = append(ins, process()...)
	ins = append(ins, output(m)...)
	return append(ins, exit()...)
}

// btfField is where fieldOffsets writes the offset of path in struct typ.
type btfField struct {
	dst       *int
	typ, path string
}

// fieldOffsets looks each field up in the kernel's BTF, writing its byte
// offset to dst; the first field missing (or a bit field) is the error.
func fieldOffsets(spec *btf.Spec, fields []btfField) error {
	for _, f := range fields {
		var st *btf.Struct
		if err := spec.TypeByName(f.typ, &st); err != nil {
			return fmt.Errorf("kernel BTF: struct %s: %w", f.typ, err)
		}
		off, err := kbtf.Offset(st, f.path)
		if errors.Is(err, kbtf.ErrBitField) {
			return fmt.Errorf("kernel BTF: %s.%s is a bit field (Linux before 5.6)", f.typ, f.path)
		}
		if err != nil {
			return fmt.Errorf("kernel BTF: %s.%s: %w", f.typ, f.path, err)
		}
		*f.dst = off
	}
	return nil
}
