package live

import (
	"context"

	"github.com/porttop/porttop/sampler"
)

// Plain is a feed of machine-wide batches alone (a replayed recording, the
// demo): each becomes a Batch as Alone makes it. It hands snapshots back
// when the feed is a sampler.Recycler.
type Plain struct{ Feed sampler.Feed }

// Next waits for the feed's next batch.
func (p Plain) Next(ctx context.Context) (Batch, error) {
	b, err := p.Feed.Next(ctx)
	if err != nil {
		return Batch{}, err
	}
	return Alone(b), nil
}

// Recycle: see sampler.Recycler.
func (p Plain) Recycle(s sampler.Snapshot) {
	if r, ok := p.Feed.(sampler.Recycler); ok {
		r.Recycle(s)
	}
}
