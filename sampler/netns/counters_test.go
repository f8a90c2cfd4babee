package netns

import (
	"testing"

	"github.com/porttop/porttop/sampler"
)

// The merged counters grow by each namespace's opens between its readings
// only: a namespace appearing, vanishing, coming back or going backwards
// (made anew) never moves the total by its whole history.
func TestCounterSumGrowsByOpensOnly(t *testing.T) {
	kc := func(a, p uint64) sampler.KernelCounters {
		return sampler.KernelCounters{ActiveOpens: a, PassiveOpens: p}
	}
	steps := []struct {
		what     string
		readings map[uint64]sampler.KernelCounters
		want     sampler.KernelCounters
	}{
		{"first reading: the sum", map[uint64]sampler.KernelCounters{1: kc(100, 50), 2: kc(10, 5)}, kc(110, 55)},
		{"both open some", map[uint64]sampler.KernelCounters{1: kc(103, 51), 2: kc(12, 5)}, kc(115, 56)},
		{"a namespace appears with a history", map[uint64]sampler.KernelCounters{1: kc(103, 51), 2: kc(12, 5), 3: kc(9000, 9000)}, kc(115, 56)},
		{"it opens one", map[uint64]sampler.KernelCounters{1: kc(103, 51), 2: kc(12, 5), 3: kc(9001, 9000)}, kc(116, 56)},
		{"namespace 2 unreadable this round", map[uint64]sampler.KernelCounters{1: kc(104, 51), 3: kc(9001, 9000)}, kc(117, 56)},
		{"2 back: a new baseline", map[uint64]sampler.KernelCounters{1: kc(104, 51), 2: kc(20, 9), 3: kc(9001, 9000)}, kc(117, 56)},
		{"3 made anew, counters lower", map[uint64]sampler.KernelCounters{1: kc(104, 51), 2: kc(21, 9), 3: kc(2, 0)}, kc(118, 56)},
		{"3 opens from its new baseline", map[uint64]sampler.KernelCounters{1: kc(104, 51), 2: kc(21, 9), 3: kc(4, 1)}, kc(120, 57)},
		{"none readable", map[uint64]sampler.KernelCounters{}, kc(120, 57)},
	}
	var c counterSum
	for _, s := range steps {
		if got := c.update(s.readings); got != s.want {
			t.Fatalf("%s: total %+v, want %+v", s.what, got, s.want)
		}
	}
}
