package ui

import (
	"time"

	"github.com/porttop/porttop/sampler/live"
)

// BatchMsg carries one batch from the feed into Update. Tests and callers
// may send it themselves (live.Alone makes one of a machine-wide batch).
// The UI reads the batch's snapshots' Sockets (the table points into them)
// until they are off screen, then gives it back through
// sampler.Recycler when the feed implements it (see snapshotRefs); a feed
// that does not must not write to a slice it has handed over.
type BatchMsg struct{ Batch live.Batch }

// preparedMsg is a BatchMsg with the table's rows and the churn panel's
// digest of its batch already made, off the UI goroutine, by nextBatch
// (see tablePrep).
type preparedMsg struct {
	BatchMsg
	prepared
}

// feedErrMsg is a failed Feed.Next.
type feedErrMsg struct{ err error }

// frameMsg is the display clock: it expires highlights and ages rows.
type frameMsg time.Time

// retryMsg asks for the next batch again after a feed error.
type retryMsg struct{}
