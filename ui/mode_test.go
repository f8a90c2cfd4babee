package ui

import (
	"reflect"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestModeOf: the open overlays decide the mode first (the filter line over
// help over the explain pane), then the focused area.
func TestModeOf(t *testing.T) {
	tests := []struct {
		name string
		s    screen
		want mode
	}{
		{"start", screen{}, modeTable},
		{"feed focused", screen{focus: focusFeed}, modeFeed},
		{"churn focused", screen{focus: focusFeed, side: sideChurn}, modeChurn},
		{"churn shown, table focused", screen{side: sideChurn}, modeTable},
		{"map focused", screen{main: viewMap}, modeMap},
		{"map shown, feed focused", screen{main: viewMap, focus: focusFeed}, modeFeed},
		{"map shown, churn focused", screen{main: viewMap, side: sideChurn, focus: focusFeed}, modeChurn},
		{"explain", screen{explainOpen: true, main: viewMap}, modeExplain},
		{"help", screen{helpOpen: true, focus: focusFeed}, modeHelp},
		{"help over explain", screen{helpOpen: true, explainOpen: true}, modeHelp},
		{"filter line", screen{filterOpen: true}, modeFilter},
		{"filter line over everything", screen{filterOpen: true, helpOpen: true, explainOpen: true, main: viewMap}, modeFilter},
		{"a question over everything", screen{confirmOpen: true, filterOpen: true, helpOpen: true, main: viewMap}, modeConfirm},
	}
	for _, tt := range tests {
		if got := modeOf(tt.s); got != tt.want {
			t.Errorf("%s: modeOf(%+v) = %v, want %v", tt.name, tt.s, got, tt.want)
		}
	}
}

// TestHandlerOf: each overlay has its own key handler, the map takes its
// keys before the screen's, and the table, the feed and the churn panel
// share the screen's handler that passes the rest to the focused pane.
func TestHandlerOf(t *testing.T) {
	want := map[mode]keyHandler{
		modeFilter:  Model.filterLineKey,
		modeHelp:    Model.helpKey,
		modeExplain: Model.explainKey,
		modeMap:     Model.mapModeKey,
		modeTable:   Model.mainKey,
		modeFeed:    Model.mainKey,
		modeChurn:   Model.mainKey,
	}
	for md, h := range want {
		got := handlerOf(md)
		if reflect.ValueOf(got).Pointer() != reflect.ValueOf(h).Pointer() {
			t.Errorf("handlerOf(%v) is not the %v handler", md, md)
		}
	}
	for md := modeTable; md <= modeFilter; md++ {
		if md.String() == "mode?" {
			t.Errorf("mode %d has no name", md)
		}
	}
}

// openMode brings a model with a table and a feed into a mode by keys.
func openMode(t *testing.T, md mode) Model {
	t.Helper()
	c := &clock{t: t0}
	m := update(newTestModel(t, c, 120, 40), firstBatch(t0, baseSockets()))
	open := map[mode]string{
		modeTable: "", modeFeed: "\t", modeChurn: "c\t", modeMap: "m",
		modeExplain: "i", modeHelp: "?", modeFilter: "/",
	}[md]
	for _, r := range open {
		m = update(m, keyMsg(string(r)))
	}
	if got := modeOf(m.screen()); got != md {
		t.Fatalf("keys %q: mode %v, want %v", open, got, md)
	}
	return m
}

// TestKeyInMode: a table of (mode, key) -> next mode, with what the key did
// to the screen, through the model's real Update.
func TestKeyInMode(t *testing.T) {
	tests := []struct {
		from mode
		key  string
		to   mode
	}{
		{modeTable, "?", modeHelp},
		{modeTable, "/", modeFilter},
		{modeTable, "i", modeExplain},
		{modeTable, "\t", modeFeed},
		{modeTable, "m", modeMap},
		{modeTable, "j", modeTable},
		{modeTable, "c", modeTable}, // the churn panel shows, the table keeps the focus
		{modeFeed, "\t", modeTable},
		{modeFeed, "c", modeChurn},
		{modeFeed, "?", modeHelp},
		{modeFeed, "j", modeFeed},
		{modeChurn, "c", modeFeed},
		{modeChurn, "\x1b", modeFeed}, // esc closes the panel
		{modeChurn, "j", modeChurn},
		{modeChurn, "N", modeChurn}, // the next netns: the panel stays
		{modeMap, "N", modeMap},
		{modeTable, "N", modeTable},
		{modeFilter, "N", modeFilter}, // typed into the line
		{modeHelp, "N", modeHelp},
		{modeMap, "m", modeTable},
		{modeMap, "\x1b", modeTable},
		{modeMap, "i", modeTable}, // i filters to the cursor's block and shows the table
		{modeMap, "l", modeMap},
		{modeMap, "?", modeHelp},
		{modeExplain, "\x1b", modeTable},
		{modeExplain, "i", modeTable},
		{modeExplain, "q", modeTable}, // q closes the pane, it does not quit
		{modeExplain, "m", modeExplain},
		{modeExplain, "?", modeExplain},
		{modeHelp, "?", modeTable},
		{modeHelp, "q", modeTable},
		{modeHelp, "m", modeHelp},
		{modeHelp, "i", modeHelp},
		{modeFilter, "q", modeFilter}, // typed into the line
		{modeFilter, "?", modeFilter},
		{modeFilter, "\x1b", modeTable},
		{modeFilter, "\r", modeTable},
	}
	for _, tt := range tests {
		t.Run(tt.from.String()+"/"+tt.key, func(t *testing.T) {
			m := openMode(t, tt.from)
			m = update(m, keyMsg(tt.key))
			if m.quitting() {
				t.Fatalf("%q quit in mode %v", tt.key, tt.from)
			}
			if got := modeOf(m.screen()); got != tt.to {
				t.Errorf("%q in mode %v: mode %v, want %v", tt.key, tt.from, got, tt.to)
			}
		})
	}
}

// TestQuitKeys: q quits from the table, the feed, the churn panel and the
// map; ctrl+c quits in every mode, the filter line too.
func TestQuitKeys(t *testing.T) {
	for md := modeTable; md <= modeFilter; md++ {
		m := openMode(t, md)
		if m = update(m, tea.KeyMsg{Type: tea.KeyCtrlC}); !m.quitting() {
			t.Errorf("ctrl+c did not quit in mode %v", md)
		}
	}
	for _, md := range []mode{modeTable, modeFeed, modeChurn, modeMap} {
		if m := update(openMode(t, md), keyMsg("q")); !m.quitting() {
			t.Errorf("q did not quit in mode %v", md)
		}
	}
}

// keyMsg is one key as the terminal sends it.
func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "\x1b":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "\t":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "\r":
		return tea.KeyMsg{Type: tea.KeyEnter}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}
