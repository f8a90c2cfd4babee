//go:build linux

package tcpwalk

import (
	"fmt"

	"github.com/cilium/ebpf/btf"

	"github.com/porttop/porttop/sampler/internal/kbtf"
)

// offsets are the byte offsets the walk reads, taken from the kernel's
// BTF so that one program fits every kernel build.
type offsets struct {
	// struct sock_common, the head of every socket in the established
	// hash (full, timewait and request sockets alike).
	daddr, rcvSaddr, dport, num, family, state int
	net, v6daddr, v6saddr, cookie, nulls       int
	listener                                   int // skc_listener: a request socket's listener
	head                                       int // bytes of sock_common read in one go
	inum                                       int // struct net: ns.inum
	// A full socket's owner, inode and cgroup.
	uid, socket, cgroup, cgroupKN, knID int
	ino                                 int // from a struct socket to its inode's i_ino
	twExpires                           int // inet_timewait_sock: tw_timer.expires (jiffies)
	twSubstate                          int // inet_timewait_sock: tw_substate (TIME_WAIT or FIN_WAIT2)
	// From the reading task to its namespace's established hash.
	nsproxy, netNS, hashinfo, ehash, ehashMask int
	bucket                                     int // sizeof(struct inet_ehash_bucket)
}

// maxHead bounds the bytes of sock_common copied to the stack at once.
const maxHead = 128

func kernelOffsets() (offsets, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return offsets{}, fmt.Errorf("no kernel BTF: %w", err)
	}
	var o offsets
	var sockSocket, allocInode, iIno int
	for _, f := range []struct {
		dst       *int
		typ, path string
	}{
		{&o.daddr, "sock_common", "skc_daddr"},
		{&o.rcvSaddr, "sock_common", "skc_rcv_saddr"},
		{&o.dport, "sock_common", "skc_dport"},
		{&o.num, "sock_common", "skc_num"},
		{&o.family, "sock_common", "skc_family"},
		{&o.state, "sock_common", "skc_state"},
		{&o.net, "sock_common", "skc_net.net"},
		{&o.v6daddr, "sock_common", "skc_v6_daddr"},
		{&o.v6saddr, "sock_common", "skc_v6_rcv_saddr"},
		{&o.cookie, "sock_common", "skc_cookie"},
		{&o.nulls, "sock_common", "skc_nulls_node"},
		{&o.listener, "sock_common", "skc_listener"},
		{&o.inum, "net", "ns.inum"},
		{&o.uid, "sock", "sk_uid"},
		{&o.socket, "sock", "sk_socket"},
		{&o.cgroup, "sock", "sk_cgrp_data.cgroup"},
		{&o.cgroupKN, "cgroup", "kn"},
		{&o.knID, "kernfs_node", "id"},
		{&sockSocket, "socket_alloc", "socket"},
		{&allocInode, "socket_alloc", "vfs_inode"},
		{&iIno, "inode", "i_ino"},
		{&o.twExpires, "inet_timewait_sock", "tw_timer.expires"},
		{&o.twSubstate, "inet_timewait_sock", "tw_substate"},
		{&o.nsproxy, "task_struct", "nsproxy"},
		{&o.netNS, "nsproxy", "net_ns"},
		{&o.hashinfo, "net", "ipv4.tcp_death_row.hashinfo"},
		{&o.ehash, "inet_hashinfo", "ehash"},
		{&o.ehashMask, "inet_hashinfo", "ehash_mask"},
	} {
		var st *btf.Struct
		if err := spec.TypeByName(f.typ, &st); err != nil {
			return offsets{}, fmt.Errorf("kernel BTF: struct %s: %w", f.typ, err)
		}
		off, err := kbtf.Offset(st, f.path)
		if err != nil {
			return offsets{}, fmt.Errorf("kernel BTF: %s.%s: %w", f.typ, f.path, err)
		}
		*f.dst = off
	}
	o.ino = allocInode - sockSocket + iIno
	var b *btf.Struct
	if err := spec.TypeByName("inet_ehash_bucket", &b); err != nil {
		return offsets{}, fmt.Errorf("kernel BTF: struct inet_ehash_bucket: %w", err)
	}
	o.bucket = int(b.Size)
	if o.bucket == 0 || o.bucket > chunkBytes || chunkBytes%o.bucket != 0 || (chunkBytes/o.bucket)&(chunkBytes/o.bucket-1) != 0 {
		return offsets{}, fmt.Errorf("kernel BTF: struct inet_ehash_bucket is %d bytes", o.bucket)
	}
	// The head must hold every sock_common field read from it, each
	// aligned to its size (the verifier wants aligned stack loads).
	for _, f := range []struct{ off, size int }{
		{o.daddr, 4}, {o.rcvSaddr, 4}, {o.dport, 2}, {o.num, 2}, {o.family, 2}, {o.state, 1},
		{o.net, 8}, {o.v6daddr, 16}, {o.v6saddr, 16}, {o.cookie, 8},
	} {
		if f.off%min(f.size, 8) != 0 {
			return offsets{}, fmt.Errorf("kernel BTF: a sock_common field at %d is not aligned", f.off)
		}
		o.head = max(o.head, f.off+f.size)
	}
	o.head = (o.head + 7) &^ 7
	if o.head > maxHead {
		return offsets{}, fmt.Errorf("kernel BTF: sock_common's fields reach byte %d", o.head)
	}
	return o, nil
}
