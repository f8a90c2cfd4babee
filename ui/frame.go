package ui

import "time"

// How often the UI takes a batch in. Taking one in costs in proportion to
// the table (its rows made and sorted, the churn panel's digest, the
// highlights): at 100k sockets a batch costs tens of milliseconds of CPU,
// more on a loaded machine, and ten a second would take most of a core
// away from the machine being watched, and keep the UI goroutine busy when
// a key comes. So the view keeps its own work on batches to a budget, a
// share of one core (viewBudget): the wait before the next batch is what
// brings the last one's cost down to that share of the time, from minFrame
// (small tables: every sample shown) up to maxFrame. A cheaper batch then
// means less CPU at the same pace only up to minFrame; past it, a fresher
// table at the same CPU. The poller goes on sampling and merging meanwhile
// (told the pace, it publishes its table no more often than it is taken,
// see TakenEverySetter): no event is lost, they arrive a batch later.
//
// The cost is wall time (made off the UI goroutine and taken in on it): on
// a machine short of CPU a batch takes longer than its CPU time, and the
// view steps further back, which is what such a machine needs.
//
// What the view measures is not all a batch costs the process: the
// collector's work on what the batch allocated, and the poller's table
// built and indexed again for each batch taken (see poll.SetTakenEvery),
// came to 60-75% more in the live view's CPU profiles against watch's
// beside it (ui/PERFORMANCE.md). The measured cost is counted with that
// (indirect), so that the whole stays near the budget. The longest wait is
// 3 s: at ~110k sockets under 2,000 conn/s a batch's whole cost is over
// 300 ms, and at 2 s the view took 13 points of a core over watch's
// (BIG=1), at 3 s 6-8.
const (
	maxFrame = 3 * time.Second
	// viewBudget is the share of one core, in percent, the view's work on
	// batches may take: no more than `watch` itself, whose target under
	// churn is 5% (issue 11 wants the live view within twice watch's).
	viewBudget = 5
	// indirect is the cost a batch causes outside what the view measures,
	// in percent of what it measures.
	indirect = 75
)

// eventsEvery is the longest wait before the next batch: a paced view
// (frame past it) takes the events between its tables this often, while
// the poller, told the frame (TakenEverySetter), publishes its table once
// a frame; the batches between carry the same table (live.Batch.TableKept)
// and cost their events alone. Otherwise the poller held a whole frame of
// events for the view: 60-90k events, 15-22 MB, at ~110k sockets under
// 2,000 connections a second (ui/PERFORMANCE.md).
const eventsEvery = 500 * time.Millisecond

// frameFor is the wait before the next batch, after one that cost cost
// (measured): cost and its indirect share over that plus the wait is
// viewBudget percent.
func frameFor(cost time.Duration) time.Duration {
	whole := cost * (100 + indirect) / 100
	w := whole * (100 - viewBudget) / viewBudget
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
