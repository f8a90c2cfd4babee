package churn

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/ui/internal/words"
)

// labelWidth is the width of the row labels ("hand-outs/s ").
const labelWidth = 12

// metric is one sparkline row.
type metric struct {
	label string
	style lipgloss.Style
	field func(*bucket) uint32
}

// View draws the panel into width x height: a title, sparklines of
// hand-outs/s, releases/s and TIME_WAIT, the ephemeral gauge, then as many
// top destinations as fit. Lines past height are dropped, lines are cut at
// width.
func (m Model) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	s := m.s
	if s == nil {
		s = newState()
		m.s = s
	}
	st := m.styles
	metrics := []metric{
		{"hand-outs/s", st.handOuts, func(b *bucket) uint32 { return b.handOuts }},
		{"releases/s", st.releases, func(b *bucket) uint32 { return b.releases }},
		{"TIME_WAIT", st.timeWait, func(b *bucket) uint32 { return b.timeWait }},
	}
	// Numbers first: the sparklines get what is left, the same for all rows.
	texts := make([]string, len(metrics))
	series := make([][]uint32, len(metrics))
	numWidth := 0
	for i, mt := range metrics {
		series[i] = s.hist.series(window, mt.field)
		now, top := lastAndMax(series[i])
		texts[i] = fmt.Sprintf(" now %s max %s", commas(int(now)), commas(int(top)))
		numWidth = max(numWidth, len(texts[i]))
	}
	spark := min(max(width-labelWidth-numWidth, 0), window, s.hist.n)

	lines := []string{m.title(spark)}
	for i, mt := range metrics {
		shown := series[i][len(series[i])-spark:]
		now, top := lastAndMax(shown)
		text := fmt.Sprintf(" now %s max %s", commas(int(now)), commas(int(top)))
		pad := max(width-labelWidth-numWidth-spark, 0)
		lines = append(lines, st.label.Render(fmt.Sprintf("%-*s", labelWidth, mt.label))+
			strings.Repeat(" ", pad)+mt.style.Render(Sparkline(shown))+text)
	}
	lines = append(lines, m.gaugeLine(width, spark))
	lines = append(lines, m.destLines(width, height-len(lines))...)
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}

func lastAndMax(v []uint32) (last, top uint32) {
	for _, x := range v {
		top = max(top, x)
	}
	if len(v) > 0 {
		last = v[len(v)-1]
	}
	return last, top
}

func (m Model) title(seconds int) string {
	t := "port churn"
	if seconds > 0 {
		t += fmt.Sprintf(", last %ds", seconds)
	}
	r := "OS ephemeral range unknown"
	if m.known() {
		n := m.ephemeral.Size()
		r = fmt.Sprintf("OS ephemeral range %s (%s %s)", m.ephemeral, commas(n), words.Plural(n, "port"))
	}
	return m.styles.title.Render(t) + m.styles.muted.Render(" · "+r)
}

// gaugeLine is the ephemeral range's use now, as a bar, a percentage and the
// counts, with the peak over the seconds the sparklines show.
func (m Model) gaugeLine(width, seconds int) string {
	st := m.styles
	label := st.label.Render(fmt.Sprintf("%-*s", labelWidth, "ephemeral"))
	if !m.known() {
		return label + st.muted.Render("range unknown: no share of it to show")
	}
	shown := m.s.hist.series(max(seconds, 1), func(b *bucket) uint32 { return b.ephemeral })
	now, peak := lastAndMax(shown)
	text := fmt.Sprintf(" %s %s/%s in use, peak %s",
		Percent(m.share(int(now))), commas(int(now)), commas(m.ephemeral.Size()), Percent(m.share(int(peak))))
	bar := min(max(width-labelWidth-len(text), 0), 40)
	return label + st.ephemeral.Render(Gauge(m.share(int(now)), bar)) + text
}

// destLines are the header and up to rows-1 top destinations.
func (m Model) destLines(width, rows int) []string {
	st := m.styles
	if rows <= 0 {
		return nil
	}
	about := fmt.Sprintf(" · local ports held · share of %s · WARN over %s", m.ephemeral, Percent(m.threshold))
	if !m.known() {
		about = " · local ports held (OS ephemeral range unknown: no share, no warning)"
	}
	head := st.title.Render("top destinations") + st.muted.Render(about)
	top := m.s.top
	if len(top) == 0 {
		return []string{head, st.muted.Render("  no sockets connected to a remote port")}
	}
	top = top[:min(len(top), rows-1)]
	destWidth := 0
	for _, dc := range top {
		destWidth = max(destWidth, ansi.StringWidth(dc.Dest.String()))
	}
	const markWidth = 7 // "⚠ WARN "
	numbers := 8 + 5    // " 16,210" and "  57%"
	destWidth = min(destWidth, max(width-markWidth-numbers, 10))
	bar := min(max(width-markWidth-destWidth-numbers-1, 0), 20)

	lines := []string{head}
	for _, dc := range top {
		share := m.share(dc.Ports)
		mark := strings.Repeat(" ", markWidth)
		if share > m.threshold {
			mark = st.warn.Render("⚠ WARN ")
		}
		dest := ansi.Truncate(dc.Dest.String(), destWidth, "…")
		dest += strings.Repeat(" ", max(destWidth-ansi.StringWidth(dest), 0))
		pct := "-"
		if m.known() {
			pct = Percent(share)
		}
		line := fmt.Sprintf("%s%s %7s %4s", mark, dest, commas(dc.Ports), pct)
		if bar > 0 && m.known() {
			line += " " + st.ephemeral.Render(Gauge(share, bar))
		}
		lines = append(lines, line)
	}
	return lines
}
