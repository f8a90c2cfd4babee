//go:build linux

package ebpf

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/porttop/porttop/sampler"
)

// udpReleaseWatcher is an inner source that can watch UDP releases alone
// (sockdiag.Source.WatchUDPReleases, netns.Source.WatchUDPReleases).
type udpReleaseWatcher interface {
	WatchUDPReleases(ctx context.Context, out chan<- sampler.Release) error
}

// releaseQueue carries the releases the reader makes (from the
// transitions and the timewait records) to WatchReleases: the reader
// never waits on it (a poller busy sampling waits on the reader in turn).
// Bounded: past maxQueuedReleases they are dropped and counted (the next
// check's sample settles those sockets).
type releaseQueue struct {
	mu      sync.Mutex
	items   []sampler.Release
	wake    chan struct{}
	on      atomic.Bool // a WatchReleases takes them
	dropped atomic.Uint64
}

// maxQueuedReleases bounds the queue: 16 s of 1,000 connections a second
// (both ends) with nobody taking them.
const maxQueuedReleases = 1 << 15

func (q *releaseQueue) init() { q.wake = make(chan struct{}, 1) }

// watched reports whether a WatchReleases takes the releases (else the
// reader makes none).
func (q *releaseQueue) watched() bool { return q.on.Load() }

// push appends rels (copied) and wakes the taker.
func (q *releaseQueue) push(rels []sampler.Release) {
	q.mu.Lock()
	n := min(len(rels), maxQueuedReleases-len(q.items))
	q.items = append(q.items, rels[:n]...)
	q.mu.Unlock()
	if n < len(rels) {
		q.dropped.Add(uint64(len(rels) - n))
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take swaps out what is queued for dst's memory (emptied).
func (q *releaseQueue) take(dst []sampler.Release) []sampler.Release {
	q.mu.Lock()
	got := q.items
	q.items = dst[:0]
	q.mu.Unlock()
	return got
}

// watchOwnReleases is WatchReleases when TCP releases come from the
// kernel's events: those the reader made, passed on once the transitions
// before them are in the subscriber's channel (they were queued before
// the releases were); and the inner source's UDP releases as they come.
func (s *Source) watchOwnReleases(ctx context.Context, out chan<- sampler.Release) error {
	if !s.rels.on.CompareAndSwap(false, true) {
		return errWatched
	}
	defer s.rels.on.Store(false)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	udp := make(chan sampler.Release, 256)
	go func() { errc <- s.inner.(udpReleaseWatcher).WatchUDPReleases(ctx, udp) }()
	var spare []sampler.Release
	for {
		select {
		case r := <-udp:
			select {
			case out <- r:
			case <-ctx.Done():
			}
		case <-s.rels.wake:
			batch := s.rels.take(spare)
			if s.watched() {
				s.handedOn()
			}
			for _, r := range batch {
				select {
				case out <- r:
				case <-ctx.Done():
				}
			}
			clear(batch) // the names and paths they hold
			spare = batch[:0]
		case err := <-errc:
			return err
		}
	}
}
