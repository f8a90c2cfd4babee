package ui

import (
	"errors"
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// feedRetry is how long porttop waits before asking a failed feed again.
const feedRetry = time.Second

// feedFailed reports a feed error in the status line. The end of a
// recording stops the waiting (restart asks again); anything else is
// retried, so a passing fault does not freeze the screen.
func (m Model) feedFailed(err error) (tea.Model, tea.Cmd) {
	if errors.Is(err, io.EOF) {
		m.feedDone = true
		m.status.info("end of recording: 0 replays it from the start, q quits")
		return m, nil
	}
	m.status.fail("feed: " + err.Error())
	return m, retryAfter(feedRetry)
}
