package ui

import "time"

// How often the UI takes a batch in. Taking one in costs in proportion to
// the table (its rows made and sorted, the churn panel's digest, the
// highlights): at 100k sockets a batch costs a few hundred milliseconds of
// CPU, and ten a second would take more than a core away from the machine
// being watched, and keep the UI goroutine busy when a key comes. So the
// wait before the next batch grows with the last one's cost, keeping the
// display's share of the time to about 1/frameShare, from minFrame (small
// tables: every sample shown) up to maxFrame. The poller goes on sampling
// and merging meanwhile: no event is lost, they arrive a batch later.
const (
	maxFrame   = 2 * time.Second
	frameShare = 4
)

// frameFor is the wait before the next batch, after one that cost cost
// (made off the UI goroutine and taken in on it).
func frameFor(cost time.Duration) time.Duration {
	w := (frameShare - 1) * cost
	return min(max(w, minFrame), maxFrame)
}

// shownEvery is how often the view takes batches in, for the header, when
// a big table made that slower than the first step; 0 otherwise.
func (m Model) shownEvery() time.Duration {
	if m.frame <= minFrame {
		return 0
	}
	return m.frame
}
