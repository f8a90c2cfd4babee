package poll

import (
	"context"
	"errors"
	"sync"

	"github.com/porttop/porttop/sampler"
)

// scriptedSource plays snapshots (or errors) in order, repeating the last
// step once the script runs out. It records the queries it was given.
type scriptedSource struct {
	mu      sync.Mutex
	steps   []scriptStep
	at      int
	queries []sampler.Query
	sampled chan struct{} // if set, told after each Sample
}

type scriptStep struct {
	snap sampler.Snapshot
	err  error
}

func (s *scriptedSource) Name() string { return "script" }

func (s *scriptedSource) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer func() {
		s.mu.Unlock()
		if s.sampled != nil {
			select {
			case s.sampled <- struct{}{}:
			default:
			}
		}
	}()
	if len(s.steps) == 0 {
		return sampler.Snapshot{}, errors.New("empty script")
	}
	st := s.steps[min(s.at, len(s.steps)-1)]
	s.at++
	// Hand out a copy, as a real source hands out a fresh table each time.
	snap := sampler.Snapshot{Time: st.snap.Time, Sockets: append([]sampler.Socket(nil), st.snap.Sockets...)}
	return snap, st.err
}

func (s *scriptedSource) SetQuery(q sampler.Query) {
	s.mu.Lock()
	s.queries = append(s.queries, q)
	s.mu.Unlock()
}

// watchingSource adds a release watcher fed by the test, or failing.
type watchingSource struct {
	*scriptedSource
	releases chan sampler.Release
	fail     error
}

func (w *watchingSource) WatchReleases(ctx context.Context, out chan<- sampler.Release) error {
	if w.fail != nil {
		return w.fail
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-w.releases:
			select {
			case out <- r:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// countingSource adds kernel counters and hidden owners.
type countingSource struct {
	*scriptedSource
	reads              int
	readsBeforeSamples []int // reads at each Sample call
}

func (c *countingSource) Sample(ctx context.Context) (sampler.Snapshot, error) {
	c.readsBeforeSamples = append(c.readsBeforeSamples, c.reads)
	return c.scriptedSource.Sample(ctx)
}

func (c *countingSource) KernelCounters() (sampler.KernelCounters, error) {
	c.reads++
	return sampler.KernelCounters{ActiveOpens: uint64(10 * c.reads), PassiveOpens: 1}, nil
}

func (c *countingSource) OwnersHidden() (bool, string) { return true, "run as root" }

func (c *countingSource) Notes() []string { return []string{"a note from the source"} }

// kernelSource adds a kernel stream of transitions and failed hand-outs
// fed by the test.
type kernelSource struct {
	*scriptedSource
	transitions chan sampler.Transition
	failures    chan sampler.PortFailure
}

func (k *kernelSource) WatchTransitions(ctx context.Context, out chan<- sampler.Transition, failed chan<- sampler.PortFailure) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case t := <-k.transitions:
			select {
			case out <- t:
			case <-ctx.Done():
				return nil
			}
		case f := <-k.failures:
			select {
			case failed <- f:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

func (k *kernelSource) Lost() uint64 { return 0 }
