package poll

import (
	"net/netip"
	"runtime"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// A key set as a script: keys with and without a cookie, the same cookie
// under two protocols, reset.
func TestKeySetScript(t *testing.T) {
	var k keySet
	lo := netip.MustParseAddrPort("127.0.0.1:5000")
	tcp := sampler.ID{Cookie: 9, Proto: sampler.TCP}
	udp := sampler.ID{Cookie: 9, Proto: sampler.UDP}
	bare := sampler.ID{Proto: sampler.TCP, Local: lo}
	if k.has(tcp) || k.len() != 0 {
		t.Fatal("an empty set has a key")
	}
	k.add(tcp)
	k.add(bare)
	k.add(tcp)
	if !k.has(tcp) || !k.has(bare) || k.has(udp) || k.len() != 2 {
		t.Fatalf("after adding TCP cookie 9 and a bare ID: has %v %v, UDP cookie 9 %v, len %d", k.has(tcp), k.has(bare), k.has(udp), k.len())
	}
	got := map[sampler.ID]bool{}
	for key := range k.all() {
		got[key] = true
	}
	if len(got) != 2 || !got[tcp] || !got[bare] {
		t.Fatalf("all yields %v", got)
	}
	k.reset()
	if k.has(tcp) || k.len() != 0 {
		t.Fatal("reset kept a key")
	}
}

// A check's touched sockets: 16 bytes a key with a cookie, and a set
// that grew big lets its memory go at reset (a Go map keeps its size
// when cleared).
func TestKeySetSmallAndLetGo(t *testing.T) {
	const n = 65_536
	var before, full, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var k keySet
	for i := range n {
		k.add(sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP})
	}
	runtime.GC()
	runtime.ReadMemStats(&full)
	per := float64(int64(full.HeapAlloc)-int64(before.HeapAlloc)) / n
	if per > 64 {
		t.Errorf("a touched socket holds %.0f bytes, want at most 64 (an ID map: over 90)", per)
	}
	k.reset()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if left := int64(after.HeapAlloc) - int64(before.HeapAlloc); left > 256<<10 {
		t.Errorf("after reset the set still holds %d KB (%d KB full)", left>>10, (int64(full.HeapAlloc)-int64(before.HeapAlloc))>>10)
	}
	runtime.KeepAlive(&k)
	t.Logf("%.0f bytes a key", per)
}
