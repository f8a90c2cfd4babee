package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/ui/sockettable"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

func newHelp(st style.Styles) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis:       st.Muted,
		ShortKey:       st.Accent,
		ShortDesc:      st.Muted,
		ShortSeparator: st.Muted,
		FullKey:        st.Accent,
		FullDesc:       st.Text,
		FullSeparator:  st.Muted,
	}
	return h
}

// openHelp shows the `?` overlay in a scrollable pane, so every key and the
// whole legend can be read on a small terminal too.
func (m *Model) openHelp() {
	m.showHelp = true
	m.helpPane.Open("", m.helpText(m.helpPane.InnerWidth()))
}

// helpText is every key, laid out in as many columns as fit, then the legend.
func (m Model) helpText(width int) string {
	st := m.styles
	var b strings.Builder
	b.WriteString(st.Title.Render("keys") + st.Muted.Render("  (? or esc closes, ↑/↓ pgup/pgdn home/end scroll)") + "\n")
	b.WriteString(keyColumns(st, m.keys.FullHelp(), width))
	if m.views.main == viewMap {
		b.WriteString("\n\n" + st.Title.Render("on the map") + "\n")
		b.WriteString(keyColumns(st, m.views.portmap.KeyMap().FullHelp(), width))
	}
	b.WriteString("\n\n" + st.Title.Render("filter") + st.Muted.Render("  (/ opens the line)") + "\n")
	b.WriteString(legendEntry("enter applies it (an empty line clears the filter); esc cancels the edit "+
		"and keeps the filter in force; esc on the table clears it", width) + "\n")
	for _, l := range filter.Syntax {
		b.WriteString(legendEntry(st.Text.Render(l), width) + "\n")
	}
	b.WriteString(legendEntry(st.Muted.Render("the same syntax as --filter and --port; porttop help has more"), width))
	b.WriteString("\n\n" + st.Title.Render("colours and marks") + "\n")
	legend := append(m.legendItems(),
		ownerHiddenItem+" from this user (run as root to see it)",
		sockettable.LastOwner("name")+" in PROCESS: no process holds the socket now (TIME_WAIT, or closing); name held it last. Blank: no owner known",
		st.Accent.Render(">")+" cursor row (also reverse video)",
		"bold row: opened in the last seconds; dim row: just closed",
		"feed \"held at least 1.8s\": the socket was open before porttop started, so its hold counts from porttop's first sample",
		"AGE -45s: a TIME_WAIT socket's time left before the kernel frees it and its port (ss -o's timewait timer; netlink source only)",
		"churn (c): ⚠ WARN a destination holds over --warn (default 50%) of the OS ephemeral range (another netns's: of its own); "+
			"⚠ FULL the range is full for it (its ports and those bound by listeners take every port), "+
			"so a connect() to it can fail with EADDRNOTAVAIL; held by: who holds its ports",
		"N (when porttop reads several network namespaces, as root): the churn panel and the map show one "+
			"namespace at a time: all (the default), porttop's own, then each other by its ip netns name or inode, "+
			"each counted against its own ephemeral range; their first line says which",
	)
	if st.Palette.Name == theme.NoColor.Name || st.Plain {
		legend = append(legend, "colour is off: i (explain) names a port's IANA range")
	} else {
		legend = append(legend, "LOCAL is coloured by its port's IANA range")
	}
	for i, item := range legend {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(legendEntry(item, width))
	}
	return b.String()
}

// legendEntry is one legend item indented under the heading, wrapped to
// width with its continuation lines indented further, so that nothing is
// cut off on a narrow terminal.
func legendEntry(item string, width int) string {
	const indent, more = "  ", "    "
	if width <= len(more)+8 {
		return indent + item
	}
	lines := strings.Split(ansi.Wrap(item, width-len(more), ""), "\n")
	for i, l := range lines {
		if i == 0 {
			lines[i] = indent + l
		} else {
			lines[i] = more + strings.TrimLeft(l, " ")
		}
	}
	return strings.Join(lines, "\n")
}

// keyColumns lays enabled bindings out column by column, as many columns as
// width allows.
func keyColumns(st style.Styles, groups [][]key.Binding, width int) string {
	var keys, descs []string
	kw, dw := 0, 0
	for _, g := range groups {
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			keys = append(keys, b.Help().Key)
			descs = append(descs, b.Help().Desc)
			kw = max(kw, ansi.StringWidth(b.Help().Key))
			dw = max(dw, ansi.StringWidth(b.Help().Desc))
		}
	}
	if len(keys) == 0 {
		return ""
	}
	colW := kw + 1 + dw + 3
	cols := max(1, min(width/colW, 4))
	rows := (len(keys) + cols - 1) / cols
	lines := make([]string, rows)
	for i := range keys {
		r, c := i%rows, i/rows
		if c > 0 {
			lines[r] += "   "
		}
		k := keys[i] + strings.Repeat(" ", kw-ansi.StringWidth(keys[i]))
		d := descs[i] + strings.Repeat(" ", dw-ansi.StringWidth(descs[i]))
		lines[r] += st.Accent.Render(k) + " " + st.Text.Render(d)
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}
