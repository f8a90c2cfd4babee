package ui

import (
	"context"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/theme"
)

// Config is what the UI needs from its caller. Only Feed is required.
type Config struct {
	Feed            sampler.Feed
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
	Focus  FocusFeed        // nil: the table and feed come from Feed alone
	Now    func() time.Time // nil = time.Now (tests fix it)
}

// FocusFeed samples only what the filter lets through, beside the
// machine-wide Feed. On a big table the machine-wide samples slow down to
// stay cheap; a view narrowed to a port can still be sampled ten times a
// second when the kernel does the narrowing. The header, the port map and
// the churn panel keep counting the whole machine from Feed.
type FocusFeed interface {
	// Focus starts focused sampling for q, whose batches carry gen, in
	// place of any earlier focus; a q that does not narrow (see Narrows)
	// stops it. It is called from a command, never from Update.
	Focus(gen uint64, q sampler.Query)
	// Next waits for the next focused batch.
	Next(ctx context.Context) (FocusBatch, error)
}

// FocusBatch is a batch of one focus.
type FocusBatch struct {
	Gen   uint64
	Batch sampler.Batch
}

// Narrows reports whether the kernel can narrow a sample to q cheaply at
// any table size: a port filter (a bytecode match per socket). States are
// never asked of the kernel (see filter.Filter.Query), and a protocol alone
// would have a second sampler read most of the table again.
func Narrows(q sampler.Query) bool {
	return len(q.Ports) > 0
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
