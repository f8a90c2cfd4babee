package ui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// FirstSeenFocus is implemented by a FocusFeed that can start a focus
// knowing when the sockets it covers were first seen (see
// sampler.FirstSeen): the focus's own first sample then keeps those times,
// so a socket's age, held time and "since" carry on across the switch to the
// filtered view rather than restart from its first sample. The view calls
// FocusFrom in place of Focus when the feed has it; seen is the feed's to
// keep (the view builds a fresh one each time and never touches it again).
type FirstSeenFocus interface {
	FocusFrom(gen uint64, q sampler.Query, seen sampler.FirstSeen)
}

// askFocus is the command that asks feed for focus gen on q. A narrowing
// focus is handed the first-seen times the view knows for the sockets q
// covers: those of the newest machine-wide snapshot and, where earlier, of
// the focus being replaced (prev, nil when none was live). Built here, on
// the UI goroutine, from data the model owns.
func (m *Model) askFocus(feed FocusFeed, gen uint64, q sampler.Query, prev []sampler.Socket) tea.Cmd {
	ff, ok := feed.(FirstSeenFocus)
	if !ok || !Narrows(q) {
		return func() tea.Msg { feed.Focus(gen, q); return nil }
	}
	seen := sampler.FirstSeenOf(m.sockets, q)
	seen.Add(prev, q)
	return func() tea.Msg { ff.FocusFrom(gen, q, seen); return nil }
}
