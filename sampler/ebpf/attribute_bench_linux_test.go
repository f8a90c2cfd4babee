//go:build linux

package ebpf

import (
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// BenchmarkAttributorChurn is the Attributor's share of the reader's work
// at 1,000 connections a second: one op is a 100 ms tick's worth, 100
// loopback connections (server closes first), each told by its ten
// transitions with cookies as Linux reports them (the connect before its
// port, the accepted child's handshake, both closes), the opener asked
// for each that opens, and a sample (an empty one: the sweep of what
// closed) every 10 s.
func BenchmarkAttributorChurn(b *testing.B) {
	a := NewAttributor(func(int32) bool { return true })
	lo := netip.MustParseAddr("127.0.0.1")
	srv := netip.AddrPortFrom(lo, 9400)
	server := sampler.Actor{Known: true, PID: 7, Comm: "server"}
	client := sampler.Actor{Known: true, PID: 8, Comm: "client"}
	a.Transition(sampler.Transition{Sock: 1, Cookie: 1, From: sampler.StateClose, To: sampler.StateListen, Local: srv, Actor: server})
	now, cookie, ticks := t0, uint64(1<<20), 0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(100 * time.Millisecond)
		for range 100 {
			cookie += 2
			tellConnection(a, now, cookie, srv, server, client)
		}
		if ticks++; ticks%100 == 0 {
			a.Sample(&sampler.Snapshot{Time: now})
		}
	}
}

// BenchmarkAttributorCheck is the Attributor's work over 10 s of watch's
// event mode at ~100k sockets and 2,000 connections a second (issue 14,
// BIG=1): 20,000 connections told by their transitions as in
// BenchmarkAttributorChurn, and one check's sample of the whole table
// (100,000 sockets no transition told of: held before porttop started,
// and TIME_WAIT sockets), whose sweep goes through everything remembered.
func BenchmarkAttributorCheck(b *testing.B) {
	a := NewAttributor(func(int32) bool { return true })
	lo := netip.MustParseAddr("127.0.0.1")
	srv := netip.AddrPortFrom(lo, 9400)
	server := sampler.Actor{Known: true, PID: 7, Comm: "server"}
	client := sampler.Actor{Known: true, PID: 8, Comm: "client"}
	snap := sampler.Snapshot{Time: t0}
	for i := range 100000 {
		l := netip.AddrPortFrom(lo, uint16(1024+i%60000))
		r := netip.AddrPortFrom(lo, uint16(40000+i/60000))
		snap.Sockets = append(snap.Sockets, sampler.Socket{ID: sampler.ID{Cookie: uint64(1 + i), Proto: sampler.TCP, Local: l, Remote: r}, State: sampler.StateEstablished, Inode: uint32(1 + i)})
	}
	now, cookie := t0, uint64(1<<30)
	b.ReportAllocs()
	for b.Loop() {
		for range 100 { // 100 ms ticks
			now = now.Add(100 * time.Millisecond)
			for range 200 {
				cookie += 2
				tellConnection(a, now, cookie, srv, server, client)
			}
		}
		snap.Time = now
		for i := range snap.Sockets {
			snap.Sockets[i].PID = 0
		}
		a.Sample(&snap)
	}
}

// tellConnection tells a the ten transitions of one loopback connection
// to srv at now, server closing first, with cookies as Linux reports them
// (the connect before its port, the accepted child's handshake, both
// closes): the client's socket has cookie, the server's child cookie+1;
// the opener is asked for each that opens.
func tellConnection(a *Attributor, now time.Time, cookie uint64, srv netip.AddrPort, server, client sampler.Actor) {
	cl := netip.AddrPortFrom(srv.Addr(), uint16(32768+cookie/2%28000))
	cs, ss := cookie<<8, (cookie+1)<<8 // kernel addresses
	var none sampler.Actor
	t := func(sock, c uint64, from, to sampler.State, local, remote netip.AddrPort, act sampler.Actor) {
		x := sampler.Transition{At: now, Sock: sock, Cookie: c, From: from, To: to, Local: local, Remote: remote, Actor: act}
		a.Transition(x)
		if opening(x) {
			a.Opener(x)
		}
	}
	t(cs, cookie, sampler.StateClose, sampler.StateSynSent, netip.AddrPortFrom(srv.Addr(), 0), srv, client)
	t(ss, cookie+1, sampler.StateListen, sampler.StateSynRecv, srv, cl, none)
	t(cs, cookie, sampler.StateSynSent, sampler.StateEstablished, cl, srv, none)
	t(ss, cookie+1, sampler.StateSynRecv, sampler.StateEstablished, srv, cl, none)
	t(ss, cookie+1, sampler.StateEstablished, sampler.StateFinWait1, srv, cl, server)
	t(cs, cookie, sampler.StateEstablished, sampler.StateCloseWait, cl, srv, none)
	t(ss, cookie+1, sampler.StateFinWait1, sampler.StateFinWait2, srv, cl, none)
	t(cs, cookie, sampler.StateCloseWait, sampler.StateLastAck, cl, srv, client)
	t(cs, cookie, sampler.StateLastAck, sampler.StateClose, cl, srv, none)
	t(ss, cookie+1, sampler.StateFinWait2, sampler.StateClose, srv, cl, none)
}
