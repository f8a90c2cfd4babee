package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key porttop answers to. It implements help.KeyMap, so the
// status line and the `?` overlay are generated from the same bindings the
// model matches against and cannot drift apart.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Filter  key.Binding
	Sort    key.Binding
	Pause   key.Binding
	Focus   key.Binding
	Explain key.Binding
	Map     key.Binding
	Churn   key.Binding
	// Netns picks the network namespace the churn panel and the map show.
	Netns key.Binding
	Help  key.Binding
	Close key.Binding
	Quit  key.Binding

	// On the machine, after a yes (disabled unless Config.Act is set, as in
	// a replay or a remote stream, so help hides them).
	CloseConn key.Binding
	StopOwner key.Binding

	// Replay only (disabled when live, so help hides them).
	ReplayPause  key.Binding
	ReplayStep   key.Binding
	ReplayFaster key.Binding
	ReplaySlower key.Binding
	ReplayStart  key.Binding

	// Filter input.
	Apply  key.Binding
	Cancel key.Binding
}

// DefaultKeyMap is the key map porttop ships with. The replay keys start
// disabled; New enables them when Config.Replay is set.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	km := KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f"),
		Home:     b("home/g", "first/top", "home", "g"),
		End:      b("end/G", "last/bottom", "end", "G"),

		Filter:  b("/", "filter", "/"),
		Sort:    b("s", "sort", "s"),
		Pause:   b("space", "pause display", " "),
		Focus:   b("tab", "table/feed", "tab"),
		Explain: b("enter/i", "explain port", "enter", "i"),
		Map:     b("m", "table/map", "m"),
		Churn:   b("c", "churn", "c"),
		Netns:   b("N", "next netns", "N"),
		Help:    b("?", "help", "?"),
		Close:   b("esc", "close", "esc"),
		Quit:    b("q", "quit", "q", "ctrl+c"),

		CloseConn: b("x", "close connection (asks first)", "x"),
		StopOwner: b("K", "stop its process (asks first)", "K"),

		ReplayPause:  b("p/space", "pause replay", "p"),
		ReplayStep:   b("n", "step one event", "n"),
		ReplayFaster: b("+", "faster", "+", "="),
		ReplaySlower: b("-", "slower", "-"),
		ReplayStart:  b("0", "restart", "0"),

		Apply:  b("enter", "apply filter", "enter"),
		Cancel: b("esc", "cancel edit", "esc"),
	}
	km.setReplay(false)
	km.setActions(false)
	return km
}

// setReplay enables or disables the replay keys; space pauses the replay
// itself when replaying, so its help text changes too.
func (k *KeyMap) setReplay(on bool) {
	for _, b := range []*key.Binding{&k.ReplayPause, &k.ReplayStep, &k.ReplayFaster, &k.ReplaySlower, &k.ReplayStart} {
		b.SetEnabled(on)
	}
	if on {
		k.Pause.SetHelp("space", "pause replay")
	} else {
		k.Pause.SetHelp("space", "pause display")
	}
}

// ShortHelp is the one-line help at the bottom.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Filter, k.Sort, k.Pause, k.Focus, k.Explain, k.Map, k.Help, k.Quit}
}

// FullHelp is the `?` overlay, one column per group.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Filter, k.Sort, k.Focus, k.Explain, k.Map, k.Churn, k.Netns},
		{k.Pause, k.Help, k.Close, k.Quit},
		{k.ReplayPause, k.ReplayStep, k.ReplayFaster, k.ReplaySlower, k.ReplayStart},
		{k.CloseConn, k.StopOwner},
	}
}

// setActions enables or disables the keys that act on the machine.
func (k *KeyMap) setActions(on bool) {
	k.CloseConn.SetEnabled(on)
	k.StopOwner.SetEnabled(on)
}
