package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// minFrame is the shortest time between two batches the UI takes in. The
// wait happens inside the command, off the UI goroutine; meanwhile the
// poller merges what it samples into one batch, so a fast poller costs the
// display at most ten rebuilds a second.
const minFrame = 100 * time.Millisecond

// frameEvery is the display clock's period (highlights expire, ages tick).
// Each tick is an Update and a whole View, whether or not anything moved:
// on a big table the clock's ticks were a third of the UI goroutine's work.
// Ages show whole seconds and highlights last 3-4 s (sockettable's
// DefaultFreshFor, DefaultGoneFor), so a tick a second shows them as well
// as two did; keys and batches draw the screen at once, as before.
const frameEvery = time.Second

// nextBatch waits for the feed's next batch. It is the only place the UI
// waits on the feed, and it runs as a tea.Cmd, so a slow feed never blocks a
// keypress. A filter set meanwhile (see Model.tellFilter) cuts the wait
// short: the feed's next step takes it in, and a focused table the new
// filter does not keep is replaced at once, as the keypress left it.
//
// It also makes the table's rows of the batch there (see tablePrep), off
// the UI goroutine.
func nextBatch(ctx context.Context, feed Feed, wait time.Duration, filterSet <-chan struct{}, prep *tablePrep) tea.Cmd {
	return func() tea.Msg {
		if !waitFrame(ctx, wait, filterSet) {
			return nil
		}
		b, err := feed.Next(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return feedErrMsg{err}
		}
		return preparedMsg{BatchMsg{b}, prep.prepare(b)}
	}
}

// waitFrame waits d (the least time between two batches taken in), or
// until a filter is set, and reports false when ctx ends first.
func waitFrame(ctx context.Context, d time.Duration, filterSet <-chan struct{}) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-filterSet:
		return true
	case <-ctx.Done():
		return false
	}
}

func frameTick() tea.Cmd {
	return tea.Tick(frameEvery, func(t time.Time) tea.Msg { return frameMsg(t) })
}

func retryAfter(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return retryMsg{} })
}
