package ui

// This file builds the model and routes messages; each concern lives in its
// own file (keypress, batch, filtering, pause, replay, layout, view...) or
// sub-package (sockettable, eventfeed, header, filterbar, explainpane).

import (
	"context"
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/history"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/ui/confirm"
	"github.com/porttop/porttop/ui/eventfeed"
	"github.com/porttop/porttop/ui/explainpane"
	"github.com/porttop/porttop/ui/filterbar"
	"github.com/porttop/porttop/ui/safe"
	"github.com/porttop/porttop/ui/sockettable"
	"github.com/porttop/porttop/ui/style"
)

// focus is which pane the movement keys drive.
type focus uint8

const (
	focusTable focus = iota
	focusFeed
)

// Model is porttop's bubbletea model. It holds no mutex and never calls the
// OS: batches arrive as BatchMsg from a command that waits on Config.Feed.
type Model struct {
	cfg    Config
	now    func() time.Time
	keys   KeyMap
	styles style.Styles
	ctx    context.Context
	cancel context.CancelFunc

	width, height int

	table   sockettable.Model
	feed    eventfeed.Model
	bar     filterbar.Model
	confirm confirm.Model // the yes/no question before x or K acts
	explain explainpane.Model
	// helpPane scrolls the `?` overlay; it is the same kind of framed pane.
	helpPane explainpane.Model
	help     help.Model

	stats stats // machine-wide header figures
	// start is the machine-wide stream's first sample: sockets first seen
	// then were open before porttop started (held at least, in the feed
	// and explain).
	start     sampler.StartMark
	history   *history.Tracker
	sockets   []sampler.Socket // the newest snapshot, unfiltered, even while paused
	snapshots snapshotRefs     // gives snapshots back to the feed once off screen
	filter    filter.Filter
	focus     focus
	showHelp  bool
	paused    pausedDisplay
	status    status
	started   time.Time
	feedDone  bool // the feed ended (a recording ran out)
	explainOn explainTarget
	views     views
	focused   live.Focus // the focused sampling as of the newest batch
	// frame is the wait before the next batch is taken in (see frameFor).
	frame time.Duration
	// filterSet says a filter was told to the feed (see tellFilter).
	filterSet chan struct{}
	// prep makes the table's rows of each batch off the UI goroutine.
	prep *tablePrep
}

// New builds the model. A bad Config.Filter is an error, said plainly.
func New(cfg Config) (Model, error) {
	if cfg.Feed == nil {
		return Model{}, errors.New("ui: Config.Feed is required")
	}
	// A recording's OS and host are any text: shown escaped everywhere.
	cfg.OS, cfg.Host = safe.Text(cfg.OS), safe.Text(cfg.Host)
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	st := style.New(cfg.Renderer, cfg.Palette)
	keys := DefaultKeyMap()
	keys.setReplay(cfg.Replay != nil)
	keys.setActions(cfg.Act != nil)
	ctx, cancel := context.WithCancel(context.Background())
	m := Model{
		cfg:       cfg,
		now:       now,
		keys:      keys,
		styles:    st,
		ctx:       ctx,
		cancel:    cancel,
		feed:      eventfeed.New(st, eventfeed.DefaultCapacity),
		bar:       filterbar.New(st),
		confirm:   confirm.New(st),
		explain:   explainpane.New(st),
		helpPane:  explainpane.New(st),
		help:      newHelp(st),
		history:   newPortHistory(),
		snapshots: newSnapshotRefs(cfg.Feed),
		filterSet: make(chan struct{}, 1),
		prep:      &tablePrep{now: now},
		started:   now(),
	}
	m.table = m.newTable()
	m.stats.listeners = new(sampler.Listeners)
	m.feed.SetListeners(m.stats.listeners) // reset per batch before the feed's Add
	m.views = newViews(&m)
	m.stats.rates.Start(m.started)
	if cfg.Filter != "" {
		f, err := filter.Parse(cfg.Filter, cfg.Ephemeral)
		if err != nil {
			cancel()
			return Model{}, err
		}
		m.setFilter(f)
		m.tellFilter() // the feed's first step takes it in
	}
	return m, nil
}

// Init starts waiting for the first batch and the display clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(nextBatch(m.ctx, m.cfg.Feed, 0, m.filterSet, m.prep), frameTick())
}

// Update routes each message to the concern that owns it, then lays the
// screen out again (the header can grow a note, the filter line can open).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.route(msg)
	if nm, ok := next.(Model); ok {
		nm.layout()
		nm.prep.tell(nm.table.Settings(), nm.views.churn, nm.cfg.Ephemeral) // for the next batch
		return nm, cmd
	}
	return next, cmd
}

func (m Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case confirm.AnsweredMsg:
		return m.answered(msg)
	case actedMsg:
		return m.acted(msg)
	case preparedMsg:
		return m.batch(msg.BatchMsg, msg.prepared, true)
	case BatchMsg:
		return m.batch(msg, prepared{}, false)
	case feedErrMsg:
		return m.feedFailed(msg.err)
	case retryMsg:
		return m, nextBatch(m.ctx, m.cfg.Feed, 0, m.filterSet, m.prep)
	case frameMsg:
		m.onFrame()
		return m, frameTick()
	case tea.KeyMsg:
		return m.handleKey(msg)
	case tea.MouseMsg:
		if m.explain.IsOpen() {
			var cmd tea.Cmd
			m.explain, cmd = m.explain.Update(msg)
			return m, cmd
		}
	}
	if m.bar.IsOpen() {
		var cmd tea.Cmd
		m.bar, cmd = m.bar.Update(msg)
		return m, cmd
	}
	return m, nil
}

// batch takes one batch of the feed in, with what was made of it off the
// UI goroutine. fromFeed: the batch came from Config.Feed (not a BatchMsg
// sent by a caller), whose machine-wide events are given back once taken in.
func (m Model) batch(msg BatchMsg, p prepared, fromFeed bool) (tea.Model, tea.Cmd) {
	if w := msg.Batch.Wide; w != nil {
		m.followEphemeral(*w) // a changed OS ephemeral range, first
		m.start.Observe(w)
		// closes of sockets open before porttop: held at least
		m.start.Mark(w.Events, msg.Batch.Events, msg.Batch.History)
	} else {
		m.start.Mark(msg.Batch.Events, msg.Batch.History)
	}
	start := m.now()
	m.applyBatch(msg.Batch, p)
	if w := msg.Batch.Wide; w != nil && fromFeed {
		m.snapshots.giveEvents(w.Events)
	}
	if w := msg.Batch.Wide; w != nil && w.ExistingToCome {
		// A part of the first sample's opens costs a few milliseconds
		// and says nothing of the pace: the next part at once.
		return m, nextBatch(m.ctx, m.cfg.Feed, 0, m.filterSet, m.prep)
	}
	if !msg.Batch.TableKept { // events alone say nothing of a table's cost
		m.frame = frameFor(p.cost + m.now().Sub(start))
	}
	if f, ok := m.cfg.Feed.(TakenEverySetter); ok {
		f.SetTakenEvery(m.shownEvery())
	}
	return m, nextBatch(m.ctx, m.cfg.Feed, min(m.frame, eventsEvery), m.filterSet, m.prep)
}

func (m Model) newTable() sockettable.Model {
	return sockettable.New(sockettable.Options{Styles: m.styles, Ephemeral: m.cfg.Ephemeral, OwnNetns: m.cfg.OwnNetns})
}

// View draws the screen.
func (m Model) View() string { return safe.Frame(m.render()) }
