package main

import (
	"context"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/sources"
	"github.com/porttop/porttop/ui"
	"github.com/porttop/porttop/ui/theme"
)

// requireTerminal refuses to start the live view without a terminal: it
// would otherwise draw into a pipe or wait on input that never comes.
func requireTerminal() error {
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return failf(exitUsage, "no terminal: the live view needs a TTY (use 'porttop watch' for a stream)")
	}
	// Too small to start: say so and stop. (Shrunk while running, the view
	// asks for more room instead, until the terminal grows again.)
	if w, h, err := term.GetSize(os.Stdout.Fd()); err == nil && w > 0 && h > 0 && (w < ui.MinWidth || h < ui.MinHeight) {
		return failf(exitUsage, "terminal too small: %dx%d, the live view needs at least %dx%d (resize it, or use 'porttop watch')",
			w, h, ui.MinWidth, ui.MinHeight)
	}
	return nil
}

// newRenderer builds the renderer and settles its questions about the
// terminal now: asked later, while the program owns the terminal, the
// background query can hang.
func newRenderer(d display) *lipgloss.Renderer {
	return newRendererFor(os.Stdout, d.colourOff(), os.Getenv("TERM"))
}

// newRendererFor keeps the terminal's profile even without colour (termenv
// alone drops to ASCII on NO_COLOR, and with it reverse video, bold and
// dim): the view is then drawn with theme.NoColor instead (paletteFor).
// term is $TERM (see terminalProfile).
func newRendererFor(w io.Writer, noColor bool, term string, opts ...termenv.OutputOption) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w, opts...)
	terminal := terminalProfile(r.Output().ColorProfile(), term) // NO_COLOR aside
	switch {
	case noColor:
		r.SetColorProfile(terminal)
	case r.ColorProfile() == termenv.Ascii && !r.Output().EnvNoColor():
		r.SetColorProfile(terminal)
	}
	r.SetHasDarkBackground(r.HasDarkBackground())
	return r
}

// terminalProfile is what a terminal can show: termenv's guess, except that
// it guesses ASCII (no colour, and no reverse video, bold or dim either)
// for any TERM it does not know, among them screen, tmux and foot. Every
// terminal that names itself, but dumb, takes the 16 ANSI colours and the
// attributes, so that the cursor row stays visible there.
func terminalProfile(guess termenv.Profile, term string) termenv.Profile {
	if guess == termenv.Ascii && term != "" && term != "dumb" {
		return termenv.ANSI
	}
	return guess
}

// paletteFor is the palette the view is drawn with: none of p's colours
// when colour is off.
func paletteFor(noColor bool, p theme.Palette) theme.Palette {
	if noColor {
		return theme.NoColor
	}
	return p
}

// runTUI runs the view until the user quits; the terminal is restored on the
// way out, whatever happened.
func runTUI(ctx context.Context, cfg ui.Config) error {
	return runTUIFrom(ctx, cfg, os.Stdin)
}

// runTUIFrom is runTUI with keys read from in (the terminal, when stdin
// is a stream: porttop view -).
func runTUIFrom(ctx context.Context, cfg ui.Config, in *os.File) error {
	m, err := ui.New(cfg)
	if err != nil {
		return err
	}
	// Signals end ctx (see signalContext). The program's own handler would
	// race it and can block its shutdown, and killing the program through a
	// context skips waiting for its input reader (a data race in the library),
	// so an ended ctx asks the program to quit like the q key does.
	keys := newKeyClock() // developers only: PORTTOP_KEYLOG
	defer keys.close()
	tm, tin, tout := keys.timed(m, in, os.Stdout)
	// The renderer writes the newest frame on its own clock, which costs
	// CPU even with nothing new to write: ~0.018% of a core per frame a
	// second here (a still screen in tmux: 1.1% at bubbletea's default 60,
	// 0.57% at 30), against the idle live view's 2% (issue 11). At 30 a
	// key's frame waits up to 33 ms for the tick, inside the 50 ms a key
	// may take (issue 14).
	p := tea.NewProgram(tm, tea.WithAltScreen(), tea.WithoutSignalHandler(),
		tea.WithOutput(tout), tea.WithInput(tin), tea.WithFPS(30))
	finished := make(chan struct{})
	defer close(finished)
	// The terminal going away (an SSH session dropped, the window closed)
	// sends SIGHUP, which ends ctx; with SIGHUP ignored (nohup) nothing
	// would: reads then see end of file, writes EIO, and poll HUP, which
	// stdoutGone watches for.
	watch, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	hungUp := stdoutGone(watch, os.Stdout)
	go func() {
		select {
		case <-ctx.Done():
			p.Quit()
		case <-hungUp:
			p.Quit()
		case <-finished:
		}
	}()
	_, err = p.Run()
	if err != nil {
		return failf(exitFail, "the live view failed: %v", err)
	}
	return nil
}

// live is the `porttop` command: the view over a poller.
func runLive(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("")
	var s sampling
	var d display
	fs.samplingFlags(&s)
	fs.displayFlags(&d)
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "", stdout)
	}
	if len(pos) > 0 {
		return usagef("", "unexpected argument %q", pos[0])
	}
	m, err := openMachine(s.source, true)
	if err != nil {
		return err
	}
	if _, err := parseFilter("", s.filterText(), m.ephemeral); err != nil {
		return err
	}
	if err := requireTerminal(); err != nil {
		return err
	}
	renderer := newRenderer(d)

	ctx, stop := signalContext()
	defer stop()
	tuneLiveMemory(ctx)
	poller, wait := startPoller(ctx, liveWide(poll.Config{Source: m.src, Interval: s.interval, Notes: m.notes, Ephemeral: m.rereadEphemeral}), nil)
	// The header counts the whole machine, so the poller above is never
	// narrowed; a filter the kernel can narrow gets a poller of its own,
	// and this one steps back to a sample a second meanwhile.
	feed := live.NewFeed(ctx, live.Config{
		Wide:       poller,
		Background: poller.SetBackground,
		TakenEvery: poller.SetTakenEvery,
		Open: func() (sampler.Source, error) {
			src, _, err := sources.OpenSnapshot(s.source)
			return src, err
		},
		NewPoller: newFocusPoller,
		Interval:  s.interval,
	})
	defer func() {
		stop()
		wait()
		feed.Wait()
	}()
	return runTUI(ctx, ui.Config{
		Feed:            feed,
		OS:              goos(),
		Host:            m.host,
		Ephemeral:       m.ephemeral,
		EphemeralSource: m.ephemeralSource,
		Interval:        s.interval,
		Filter:          s.filterText(),
		Renderer:        renderer,
		Palette:         d.palette(),
		Warn:            d.warn,
		Act:             machineActions{},
		OwnNetns:        ownNetns(),
	})
}
