package ui

import (
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
	Replay          ReplayControls      // nil when live
	SetQuery        func(sampler.Query) // nil: do not narrow (the header then counts the whole machine)
	Now             func() time.Time    // nil = time.Now (tests fix it)
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
