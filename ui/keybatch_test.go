package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// runes is one message carrying several runes, as bubbletea delivers keys
// that arrive in one read (fast typing, a paste, a batching SSH link).
func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// yieldsQuit reports whether running cmd (and any batch it returns) quits.
func yieldsQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if yieldsQuit(c) {
				return true
			}
		}
	}
	return false
}

// TestRunesReadTogetherAreEachAKey: a multi-rune message does what its runes
// typed apart do, in order, on the main screen, the map and the panes.
func TestRunesReadTogetherAreEachAKey(t *testing.T) {
	for _, text := range []string{"jjjj", "jjk", "sss", "ssj", "jji", "?j", "mjj", "jG", "c jj"} {
		t.Run(text, func(t *testing.T) {
			apart := update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets()))
			together := apart
			apart = update(apart, keys(text)...)
			together = update(together, runes(text))
			if got, want := together.View(), apart.View(); got != want {
				t.Errorf("%q in one message draws\n%s\nwant (typed apart)\n%s", text, got, want)
			}
		})
	}
	// The test means something: four j's in one message move the cursor.
	m := update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets()))
	before, _ := m.table.Selected()
	after, _ := update(m, runes("jjjj")).table.Selected()
	if before.ID == after.ID {
		t.Errorf(`"jjjj" in one message left the cursor on %v`, before.ID)
	}
}

// TestRunesReadTogetherQuit: "qq" quits, and the runes after a quit are dropped.
func TestRunesReadTogetherQuit(t *testing.T) {
	m := update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets()))
	sort := m.table.Sort()
	next, cmd := m.Update(runes("qs"))
	nm := next.(Model)
	if nm.ctx.Err() == nil || !yieldsQuit(cmd) {
		t.Fatalf(`"qs" in one message did not quit (ctx err %v)`, nm.ctx.Err())
	}
	if nm.table.Sort() != sort {
		t.Errorf("a key after the quit was handled: sort %v, was %v", nm.table.Sort(), sort)
	}
	next, cmd = update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets())).Update(runes("qq"))
	if next.(Model).ctx.Err() == nil || !yieldsQuit(cmd) {
		t.Error(`"qq" in one message did not quit`)
	}
}

// TestRunesReadTogetherIntoTheFilterLine: a paste into the open filter line
// is text, whole (q and j included); runes after a `/` that opens it are its
// text too.
func TestRunesReadTogetherIntoTheFilterLine(t *testing.T) {
	m := update(newTestModel(t, &clock{t: t0}, 100, 30), firstBatch(t0, baseSockets()))
	opened := update(m, runes("/22 q"))
	if !opened.bar.IsOpen() || opened.bar.Value() != "22 q" {
		t.Errorf(`"/22 q" in one message: bar open %v, text %q; want open with "22 q"`, opened.bar.IsOpen(), opened.bar.Value())
	}
	pasted := update(m, keys("/")...)
	pasted = update(pasted, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("sshd jq"), Paste: true})
	if pasted.ctx.Err() != nil || pasted.bar.Value() != "sshd jq" {
		t.Errorf("paste into the filter line: text %q, quit %v; want the whole paste as text", pasted.bar.Value(), pasted.ctx.Err() != nil)
	}
}
