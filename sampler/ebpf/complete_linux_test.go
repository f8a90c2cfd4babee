//go:build linux

package ebpf

import (
	"context"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/sockdiag"
)

// TestCompleteTransitionsHoldUntilTheKernelDropsARecord walks the
// EventTable promise through its steps: not before the first full sample;
// then until the kernel counts a dropped record (written into the
// program's own counter, as the program does when the ring is full);
// again after the next full sample, not after a narrowed one; never with
// the classic program, which reads no cookies.
func TestCompleteTransitionsHoldUntilTheKernelDropsARecord(t *testing.T) {
	requireRoot(t)
	ctx := context.Background()
	s := openSource(t)
	if !s.probe.Cookies() {
		t.Skipf("this kernel gives no socket cookies to tracing programs: %v", s.probe.Notes())
	}
	var lostBefore uint64
	step := func(what string, want bool) {
		t.Helper()
		got := s.CompleteTransitions()
		if want && !got && s.Lost() != lostBefore {
			t.Skipf("the kernel dropped %d records of its own while the test ran (a machine too busy for the reader)", s.Lost()-lostBefore)
		}
		if got != want {
			t.Fatalf("%s: CompleteTransitions() = %v, want %v", what, got, want)
		}
	}
	sample := func() {
		t.Helper()
		lostBefore = s.Lost()
		if _, err := s.Sample(ctx); err != nil {
			t.Fatal(err)
		}
	}
	step("before any sample", false)
	sample()
	step("after a full sample", true)
	drop := func() {
		t.Helper()
		var n uint64
		if err := s.probe.stats.Lookup(uint32(statDropped), &n); err != nil {
			t.Fatal(err)
		}
		if err := s.probe.stats.Update(uint32(statDropped), n+1, 0); err != nil {
			t.Fatal(err)
		}
	}
	drop()
	step("after a dropped record", false)
	s.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.TCP}, Ports: []sampler.PortRange{{Lo: 1, Hi: 2}}})
	sample()
	step("after a narrowed sample", false)
	s.SetQuery(sampler.Query{})
	sample()
	step("after the next full sample", true)

	inner, err := sockdiag.New()
	if err != nil {
		t.Fatal(err)
	}
	c, err := newSource(inner, true)
	if err != nil {
		inner.Close()
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Sample(ctx); err != nil {
		t.Fatal(err)
	}
	if c.CompleteTransitions() {
		t.Error("the classic program (no cookies) claims complete transitions")
	}
}
