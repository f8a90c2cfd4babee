// Package eventfeed is the scrolling list of what happened, newest first:
// `+` a port handed out, `-` released (with how long it was held), `~` a
// state change, `»` a connection a listener accepted and `«` its close
// (those share the listener's port: no port handed out or released). It keeps a bounded ring of events and renders only the lines
// on screen, applying the filter as it goes.
package eventfeed

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/internal/words"
	"github.com/porttop/porttop/ui/safe"
	"github.com/porttop/porttop/ui/sockettable"
	"github.com/porttop/porttop/ui/style"
)

// DefaultCapacity is how many events the feed remembers.
const DefaultCapacity = 10000

// Glyphs for the three kinds of event, and for the line that sums up the
// sockets already open at the start; the legend explains them.
const (
	OpenedGlyph   = "+"
	ClosedGlyph   = "-"
	ChangedGlyph  = "~"
	ExistingGlyph = "="
	// AcceptedGlyph and AcceptedClosedGlyph mark a connection a listener
	// accepted, and its close: it shares the listener's port, so it is no
	// hand-out and its close no release (as the header and explain count).
	AcceptedGlyph       = "»"
	AcceptedClosedGlyph = "«"
)

type entry struct {
	ev      sampler.Event
	summary bool // the line summing up the sockets already open, not an event
	// accepted: a connection a listener accepted (or its close), judged by
	// the listeners when it was added.
	accepted bool
}

// Model is the feed.
type Model struct {
	styles style.Styles
	ring   *ring
	match  func(*sampler.Event) bool
	offset int // lines scrolled back from the newest
	width  int
	height int
	seen   bool // a batch with events has been added
	// existing are the sockets already open at the start, kept (compactly:
	// existing.go) so that the summary line counts those the filter
	// matches, whatever filter is set later; existingShown is that count.
	// One snapshot: bounded.
	existing      existingSet
	existingShown int
	summary       summaryLine
	// wide: SetExisting has given the machine-wide first sample's sockets,
	// which no batch's replace; wideDone: all of them (its last part).
	wide, wideDone bool
	// listeners are the newest snapshot's TCP listeners (shared with the
	// parent, which resets them per batch); nil: none known.
	listeners *sampler.Listeners
	keys      KeyMap
	// focused and now are how View draws (Focus, SetNow).
	focused bool
	now     time.Time
}

// SetListeners gives the listener set that tells accepted connections from
// ports handed out; the parent resets it from each batch before Add.
func (m *Model) SetListeners(l *sampler.Listeners) { m.listeners = l }

// summaryLine is where the line summing up the existing sockets stands.
type summaryLine uint8

const (
	summaryNone   summaryLine = iota // not pushed yet
	summaryInRing                    // on the ring
	summaryGone                      // fell out of the ring: its sockets let go
)

// New makes a feed remembering capacity events (0: DefaultCapacity).
func New(st style.Styles, capacity int) Model {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return Model{styles: st, ring: newRing(capacity), keys: DefaultKeyMap()}
}

// SetSize sets the feed's area, title line included.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h; m.clamp() }

// SetFilter narrows the lines shown; nil shows all. Events are all kept, so
// clearing the filter brings back what it hid.
func (m *Model) SetFilter(match func(*sampler.Event) bool) {
	m.match = match
	m.offset = 0
	m.countExisting()
}

// countExisting counts the sockets already open that the filter matches.
func (m *Model) countExisting() {
	m.existingShown = m.existing.count(0, m.match)
}

// Add appends a batch's events. The opens of the very first sample are
// sockets that were already there: they become one summary line rather than
// a flood, counting those the filter matches. Later batches' existing
// sockets (a focused sampler's first) were counted in that line already.
// The first batch may be a narrower sample's, arriving before the
// machine-wide one: its sockets are counted until SetExisting replaces them.
func (m *Model) Add(events []sampler.Event, at time.Time) {
	if !m.seen && !m.wide {
		m.keepExisting(events)
	}
	for i := range events {
		if !events[i].Existing {
			e := &events[i]
			accepted := e.Kind != sampler.StateChanged && !m.listeners.HandsOutPort(e)
			m.push(entry{ev: *e, accepted: accepted})
		}
	}
	m.pushSummary(at)
	if len(events) > 0 {
		m.seen = true
	}
	m.clamp()
}

// SetExisting makes the summary line count the sockets of events' Existing
// opens: those of the machine-wide first sample, whichever batch came first
// (a narrowed sampler's is cheaper, so often earlier, and holds only the
// sockets it covers). Its events are not added as lines: Add does that.
// The first sample's opens may come in parts (sampler.Batch.ExistingToCome):
// more says another part follows, and the line counts each part's sockets
// with those before it. Only the first call with events, and the parts
// after it while more was said, count; later ones are ignored.
func (m *Model) SetExisting(events []sampler.Event, at time.Time, more bool) {
	if m.wideDone || (!m.wide && len(events) == 0) {
		return
	}
	if !m.wide {
		// A narrower sampler's first batch's: replaced.
		m.existing, m.existingShown = existingSet{}, 0
	}
	m.wide, m.wideDone = true, !more
	if m.summary == summaryGone { // its line has left the ring: nothing to count for
		return
	}
	from := m.existing.len()
	m.existing.add(events)
	if m.wideDone {
		m.existing.seal()
	}
	m.existingShown += m.existing.count(from, m.match) // this part's
	m.pushSummary(at)
	m.clamp()
}

// pushSummary adds the summary line once there are sockets for it to count,
// unless it is on the ring or has been.
func (m *Model) pushSummary(at time.Time) {
	if m.existing.len() > 0 && m.summary == summaryNone {
		m.summary = summaryInRing
		m.push(entry{ev: sampler.Event{Time: at}, summary: true})
	}
}

// keepExisting keeps the sockets of a narrower sampler's first batch's
// existing events (see Add), until SetExisting replaces them.
func (m *Model) keepExisting(events []sampler.Event) {
	var x existingSet
	x.add(events)
	if x.len() == 0 {
		return
	}
	x.seal()
	m.existing = x
	m.countExisting()
}

// push adds an entry, keeping the lines the reader scrolled to in place.
func (m *Model) push(e entry) {
	if old, ok := m.ring.push(e); ok && old.summary {
		m.existing = existingSet{} // its line is gone: no need to count them again
		m.existingShown = 0
		m.summary = summaryGone
	}
	if m.offset > 0 && m.visible(m.ring.newest(0)) {
		m.offset++
	}
}

// Len is how many entries the feed holds (before filtering).
func (m Model) Len() int { return m.ring.len() }

func (m Model) matches(e *sampler.Event) bool { return m.match == nil || m.match(e) }

// visible reports whether an entry passes the filter; the summary line does
// while the filter matches any of the sockets it counts.
func (m Model) visible(e *entry) bool {
	if e.summary {
		return m.existingShown > 0
	}
	return m.matches(&e.ev)
}

// ScrollBy moves n lines back in time (negative: towards the newest).
func (m *Model) ScrollBy(n int) { m.offset += n; m.clamp() }

// Top jumps to the newest line.
func (m *Model) Top() { m.offset = 0 }

// Bottom jumps to the oldest lines, a screenful of them.
func (m *Model) Bottom() { m.offset = m.shown() - max(m.height-1, 1); m.clamp() }

// shown is how many entries pass the filter.
func (m Model) shown() int {
	if m.match == nil {
		return m.ring.len()
	}
	n := 0
	for i := 0; i < m.ring.len(); i++ {
		if m.visible(m.ring.newest(i)) {
			n++
		}
	}
	return n
}

// Page is how many lines a page scroll moves.
func (m Model) Page() int { return max(m.height-2, 1) }

// clamp keeps the offset on a line that exists. Only a scrolled-back view
// needs the filtered count (a pass over the ring), so the common case is free.
func (m *Model) clamp() {
	if m.offset > 0 {
		m.offset = min(m.offset, m.shown()-1)
	}
	m.offset = max(m.offset, 0)
}

// view renders the title and the visible lines.
func (m Model) view(now time.Time, focused bool) string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	title := "EVENTS newest first"
	if m.offset > 0 {
		title += fmt.Sprintf(" (scrolled back %d)", m.offset)
	}
	ts := m.styles.ColumnHeader
	if focused {
		ts = m.styles.FocusedTitle
		title = "» " + title
	}
	lines := []string{ts.Render(fit(title, m.width))}
	skip := m.offset
	for i := 0; i < m.ring.len() && len(lines) < m.height; i++ {
		e := m.ring.newest(i)
		if !m.visible(e) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		lines = append(lines, m.line(e))
	}
	if len(lines) == 1 {
		empty := "no events yet"
		if m.match != nil && m.ring.len() > 0 {
			empty = "no events match the filter yet"
		}
		lines = append(lines, m.styles.Muted.Render(fit(empty, m.width)))
	}
	return strings.Join(lines, "\n")
}

func (m Model) line(e *entry) string {
	st := m.styles
	stamp := e.ev.Time.Format("15:04:05") + " "
	if e.summary {
		n := m.existingShown
		note := fmt.Sprintf("%d %s already open when porttop started", n, words.Plural(n, "socket"))
		return st.Muted.Render(fit(stamp+ExistingGlyph+" "+note, m.width))
	}
	glyph, text, gs := Describe(&e.ev, e.accepted)
	body := fit(stamp+glyph+" "+text, m.width)
	// Colour only the glyph; the text stays readable on any theme.
	head, rest := body[:len(stamp)], body[len(stamp):]
	if len(rest) > 0 {
		return st.Muted.Render(head) + gs(st).Render(rest[:1]) + st.Text.Render(rest[1:])
	}
	return st.Muted.Render(head)
}

// Describe writes one event as the feed shows it, without the time:
// "+ 54112/tcp curl -> 93.184.216.34:443", "- 54112/tcp curl held 1.2s"
// ("held at least 1.8s" for a socket open before porttop started),
// "~ 54112/tcp ESTABLISHED -> TIME_WAIT"; accepted (a connection a listener
// accepted, sharing its port) "» 9000/tcp python3 accepted from
// 127.0.0.1:41000" and "« 9000/tcp python3 from 127.0.0.1:41000 closed after
// 2.0s". It also returns the glyph and a picker for its style.
func Describe(e *sampler.Event, accepted bool) (glyph, text string, styleOf func(style.Styles) lipgloss.Style) {
	s := &e.Socket
	port := fmt.Sprintf("%d/%s", s.Local.Port(), s.Proto)
	who := ""
	if s.Process != "" {
		who = " " + safe.Text(s.Process)
	}
	switch {
	case e.Kind == sampler.Opened && accepted:
		text = port + who + " accepted from " + sockettable.FormatAddr(s.Remote)
		return AcceptedGlyph, text, func(st style.Styles) lipgloss.Style { return st.Opened }
	case e.Kind == sampler.Closed && accepted:
		text = port + who + " from " + sockettable.FormatAddr(s.Remote) + " closed after " + held(e)
		return AcceptedClosedGlyph, text, func(st style.Styles) lipgloss.Style { return st.Closed }
	case e.Kind == sampler.Opened:
		text = port + who
		if s.Remote.Port() != 0 {
			text += " -> " + sockettable.FormatAddr(s.Remote)
		} else if s.State != sampler.StateNone {
			text += " " + s.State.String()
		}
		return OpenedGlyph, text, func(st style.Styles) lipgloss.Style { return st.Opened }
	case e.Kind == sampler.Closed:
		text = port + who + " held " + held(e)
		if e.HeldAtLeast {
			text = port + who + " held at least " + held(e)
		}
		return ClosedGlyph, text, func(st style.Styles) lipgloss.Style { return st.Closed }
	}
	text = port + who + " " + stateName(e.PrevState) + " -> " + stateName(s.State)
	return ChangedGlyph, text, func(st style.Styles) lipgloss.Style { return st.Changed }
}

// held is how long a closed socket was held, as the feed says it.
func held(e *sampler.Event) string {
	h := sockettable.FormatAge(e.Held)
	if e.SeenAtEnd {
		h += " (between samples)"
	}
	return h
}

func stateName(s sampler.State) string {
	if s == sampler.StateNone {
		return "NONE"
	}
	return s.String()
}

func fit(s string, w int) string {
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-ansi.StringWidth(s))
}
