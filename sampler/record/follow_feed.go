package record

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Follow is a sampler.Feed over a stream as it arrives (`porttop watch`
// piped in, a recording still being written): the live view's feed for
// another machine. Events are played onto the table as they come, a batch
// at least every heartbeat keeps clocks and the stream's health note
// (stalled, ended, broken) current. A goroutine reads the Reader; the
// rest is the synchronous follower. Safe for concurrent use.
type Follow struct {
	items chan arrival
	wall  func() time.Time
	notes []string

	mu sync.Mutex
	f  *follower
}

// arrival is one item read, or the end of the stream (err nil at EOF).
type arrival struct {
	it  Item
	end bool
	err error
}

// NewFollow starts reading rd (its header already read) until the stream
// ends or ctx does. notes are shown with every batch.
func NewFollow(ctx context.Context, rd *Reader, notes ...string) *Follow {
	fl := &Follow{items: make(chan arrival, 256), wall: time.Now, notes: notes}
	fl.f = newFollower(rd.Header(), fl.wall())
	go func() {
		defer close(fl.items)
		for {
			it, err := rd.NextItem()
			a := arrival{it: it}
			if err != nil {
				a = arrival{end: true}
				if !errors.Is(err, io.EOF) {
					a.err = err
				}
			}
			select {
			case fl.items <- a:
			case <-ctx.Done():
				return
			}
			if a.end {
				return
			}
		}
	}()
	return fl
}

// Header is the stream's header.
func (fl *Follow) Header() Header { return fl.f.hdr }

// Now is the stream's clock (see follower.clock): what the view measures
// ages against, so that the two machines' clocks need not agree.
func (fl *Follow) Now() time.Time {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	return fl.f.clock(fl.wall())
}

// Next returns the events that arrived, at once, or a heartbeat batch.
func (fl *Follow) Next(ctx context.Context) (sampler.Batch, error) {
	timer := time.NewTimer(heartbeat)
	defer timer.Stop()
	select {
	case a, ok := <-fl.items:
		fl.mu.Lock()
		defer fl.mu.Unlock()
		fl.take(a, ok)
		// Take what else has arrived, up to a batch's worth.
		for len(fl.f.pending) < maxBatch {
			select {
			case a, ok := <-fl.items:
				fl.take(a, ok)
				if !ok {
					return fl.f.batch(fl.wall(), fl.notes), nil
				}
				continue
			default:
			}
			break
		}
		return fl.f.batch(fl.wall(), fl.notes), nil
	case <-timer.C:
		fl.mu.Lock()
		defer fl.mu.Unlock()
		return fl.f.batch(fl.wall(), fl.notes), nil
	case <-ctx.Done():
		return sampler.Batch{}, ctx.Err()
	}
}

// take applies one arrival; fl.mu is held.
func (fl *Follow) take(a arrival, ok bool) {
	now := fl.wall()
	switch {
	case !ok: // the reader is gone: nothing more will come
		fl.items = nil
		fl.f.end(nil, now)
	case a.end:
		fl.f.end(a.err, now)
	default:
		fl.f.add(a.it, now)
	}
}
