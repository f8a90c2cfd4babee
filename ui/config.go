package ui

import (
	"context"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/theme"
)

// Config is what the UI needs from its caller. Only Feed is required.
type Config struct {
	Feed Feed
	// Act closes a connection or stops its process for the table's x and K
	// keys, after the user says yes; nil: the keys are off (a replay, a
	// remote stream).
	Act Actions
	// OwnNetns is porttop's network namespace's inode (0: unknown): sockets
	// of other namespaces are labelled as elsewhere in the table and explain.
	OwnNetns        uint64
	OS              string // "linux"... (for replay: from the recording header)
	Host            string
	Ephemeral       ports.Range
	EphemeralSource string        // where the range came from
	Interval        time.Duration // requested (0 = adaptive)
	Filter          string        // initial filter text, e.g. "60716" from --port
	Renderer        *lipgloss.Renderer
	Palette         theme.Palette
	// Warn is the share of the OS ephemeral range one destination may hold
	// before the churn panel and header warn (--warn); 0 means
	// churn.DefaultThreshold (50%).
	Warn   float64
	Replay ReplayControls   // nil when live
	Now    func() time.Time // nil = time.Now (tests fix it)
}

// Feed is where the view's batches come from: the live feed (see
// sampler/live), or a recording through live.Plain. A Feed that also
// implements sampler.Recycler gets each snapshot back once off screen, one
// that implements sampler.EventRecycler each machine-wide batch's events
// once taken in; one that implements QuerySetter is told the filter.
type Feed interface {
	// Next blocks until a batch is ready or ctx ends.
	Next(ctx context.Context) (live.Batch, error)
}

// QuerySetter is a Feed that samples, beside the machine-wide poller, only
// what the filter lets through (see live.Feed): on a big table the
// machine-wide samples slow down to stay cheap, while a view narrowed to a
// port can still be sampled ten times a second when the kernel does the
// narrowing. SetQuery must not block: the view calls it from Update each
// time the filter's query may have changed.
type QuerySetter interface {
	SetQuery(q sampler.Query)
}

// TakenEverySetter is a Feed told how often the view takes its batches
// when a big table makes it take them less often than they come (see
// frameFor; 0: as they come): it need not make the table more often than
// it is read. SetTakenEvery must not block.
type TakenEverySetter interface {
	SetTakenEvery(d time.Duration)
}

// ReplayControls drive a replayed recording; the replay keys call them.
type ReplayControls interface {
	SetPaused(bool)
	Paused() bool
	Step()
	SetSpeed(float64)
	Speed() float64
	Restart()
	Progress() (done, total int)
}

// Actions act on this machine for the table's x and K keys. They run off
// the UI goroutine and say why not in a user's words.
type Actions interface {
	// Close closes the socket in the kernel (as ss -K does).
	Close(s sampler.Socket) error
	// Stop sends SIGTERM to the process.
	Stop(pid int32) error
}
