package cgroup

import (
	"testing"
	"time"
)

func TestCacheBoundsAndForgetsMisses(t *testing.T) {
	c := newCache()
	t0 := time.Unix(1000, 0)
	for i := range uint64(MaxCached * 3) {
		c.put(i+1, "/x")
		c.missed(i+1+1<<40, t0)
	}
	if len(c.path) > MaxCached || len(c.miss) > MaxCached {
		t.Fatalf("cache grew to %d paths, %d misses; bound %d", len(c.path), len(c.miss), MaxCached)
	}
	c = newCache() // the rest on a cache whose random evictions left nothing behind
	c.put(7, "/system.slice/a.service")
	if p, ok, _ := c.get(7, t0); !ok || p != "/system.slice/a.service" {
		t.Fatalf("get(7) = %q, %v", p, ok)
	}
	c.missed(9, t0)
	if _, ok, missed := c.get(9, t0.Add(missRetry-time.Millisecond)); ok || !missed {
		t.Fatalf("a fresh miss should stay missed: ok %v missed %v", ok, missed)
	}
	if _, ok, missed := c.get(9, t0.Add(missRetry)); ok || missed {
		t.Fatalf("an old miss should be looked for again: ok %v missed %v", ok, missed)
	}
	c.missed(10, t0)
	c.put(10, "/made.scope") // found by a walk since
	if p, ok, missed := c.get(10, t0); !ok || missed || p != "/made.scope" {
		t.Fatalf("a found id should drop its miss: %q %v %v", p, ok, missed)
	}
}

func TestParseProcCgroup(t *testing.T) {
	p, err := ParseProcCgroup("12:cpu,cpuacct:/x\n1:name=systemd:/y\n0::/system.slice/docker-ab.scope\n")
	if err != nil || p != "/system.slice/docker-ab.scope" {
		t.Fatalf("got %q, %v", p, err)
	}
	if _, err := ParseProcCgroup("1:name=systemd:/y\n"); err == nil {
		t.Fatal("a v1-only listing should be an error")
	}
}
