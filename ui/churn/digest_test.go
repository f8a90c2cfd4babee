package churn

import (
	"net/netip"
	"runtime"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// busyTable is 100,000 sockets towards 2,000 destinations, 50 local
// ports each: 100,000 distinct (destination, port) pairs.
func busyTable() []sampler.Socket {
	socks := make([]sampler.Socket, 100_000)
	for i := range socks {
		remote := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i % 2000 >> 8), byte(i % 2000)}), 443)
		local := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 2}), uint16(32768+i/2000))
		socks[i] = sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: local, Remote: remote}, State: sampler.StateEstablished}
	}
	return socks
}

// The Digester keeps its scratch between batches: a word per socket of
// the table it last digested, and its destinations (a set of the
// (destination, port) pairs held 36 bytes a socket here, more when the
// set's last growth had just doubled it).
func TestDigesterHoldsAWordASocket(t *testing.T) {
	socks := busyTable()
	var l sampler.Listeners
	l.Reset(socks)
	m := New(plainStyles(), linuxEphemeral, 0.5)
	dg := &Digester{}
	d := m.Digest(socks, &l, dg)
	if len(d.top) == 0 {
		t.Fatal("no destination counted")
	}
	var alive, gone runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&alive)
	runtime.KeepAlive(dg)
	dg = nil
	runtime.GC()
	runtime.ReadMemStats(&gone)
	runtime.KeepAlive(socks)
	held := float64(int64(alive.HeapAlloc)-int64(gone.HeapAlloc)) / float64(len(socks))
	t.Logf("the Digester holds %.1f bytes a socket", held)
	if held > 16 {
		t.Errorf("the Digester holds %.1f bytes a socket, want at most 16", held)
	}
}

// A digest of a table whose sockets connect to tens of thousands of
// destinations (clients of a busy server that no listener explains)
// allocates little once its Digester is warm: the destinations' ports are
// counted in its scratch, not in a map made for each digest (~5 MB here).
func TestDigestOfManyDestinationsAllocatesLittle(t *testing.T) {
	socks := make([]sampler.Socket, 50_000)
	for i := range socks {
		remote := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 2, byte(i >> 8), byte(i)}), uint16(1024+i%7))
		local := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 2}), uint16(32768+i%28000))
		socks[i] = sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: local, Remote: remote}, State: sampler.StateEstablished}
	}
	var l sampler.Listeners
	l.Reset(socks)
	m := New(plainStyles(), linuxEphemeral, 0.5)
	dg := &Digester{}
	m.Digest(socks, &l, dg) // warm
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d := m.Digest(socks, &l, dg)
	runtime.ReadMemStats(&after)
	if len(d.top) == 0 {
		t.Fatal("no destination counted")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("a digest of 50,000 destinations allocated %.1f MB, want at most 1", float64(got)/(1<<20))
	}
}
