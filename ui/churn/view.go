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
	// perSecond: a count per second, whose newest second is still being
	// counted; its value now is the last whole second's.
	perSecond bool
}

// nowAndMax is a metric's value now and its maximum over v.
func (mt metric) nowAndMax(v []uint32) (now, top uint32) {
	now, top = lastAndMax(v)
	if mt.perSecond && len(v) >= 2 {
		now = v[len(v)-2]
	}
	return now, top
}

// View draws the panel into the size SetSize gave it; see view.
func (m Model) View() string { return m.view(m.width, m.height) }

// view draws the panel into width x height: a title, sparklines of
// hand-outs/s, releases/s and TIME_WAIT, the ephemeral gauge, then the top
// destinations. When height is short, lines are shared out by plan's
// priority (layout.go): the destinations and the gauge before the
// sparklines. Lines are cut at width.
func (m Model) view(width, height int) string {
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
		{"hand-outs/s", st.handOuts, func(b *bucket) uint32 { return b.handOuts }, true},
		{"releases/s", st.releases, func(b *bucket) uint32 { return b.releases }, true},
		{"TIME_WAIT", st.timeWait, func(b *bucket) uint32 { return b.timeWait }, false},
	}
	l := plan(height, len(s.top))
	// Numbers first: the sparklines get what is left, the same for all rows.
	texts := make([]string, len(metrics))
	series := make([][]uint32, len(metrics))
	numWidth := 0
	for i, mt := range metrics {
		series[i] = s.hist.series(window, mt.field)
		now, top := mt.nowAndMax(series[i])
		texts[i] = fmt.Sprintf(" now %s max %s", commas(int(now)), commas(int(top)))
		numWidth = max(numWidth, len(texts[i]))
	}
	spark := 0
	if l.sparklines {
		spark = min(max(width-labelWidth-numWidth, 0), window, s.hist.n)
	}

	var lines []string
	if l.title {
		lines = append(lines, m.title(spark))
	}
	if l.summary {
		lines = append(lines, m.summary(width, metrics, series))
	}
	if f := m.failureLine(); f != "" {
		lines = append(lines, f)
	}
	if l.sparklines {
		for i, mt := range metrics {
			shown := series[i][len(series[i])-spark:]
			now, top := mt.nowAndMax(shown)
			text := fmt.Sprintf(" now %s max %s", commas(int(now)), commas(int(top)))
			pad := max(width-labelWidth-numWidth-spark, 0)
			lines = append(lines, st.label.Render(fmt.Sprintf("%-*s", labelWidth, mt.label))+
				strings.Repeat(" ", pad)+mt.style.Render(Sparkline(shown))+text)
		}
	}
	if l.gauge {
		lines = append(lines, m.gaugeLine(width, spark))
	}
	if l.heading {
		lines = append(lines, m.destLines(width, l.dests)...)
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, line := range lines {
		lines[i] = ansi.Truncate(line, width, "…")
	}
	return strings.Join(lines, "\n")
}

// summary is the churn on one line, for when the sparklines do not fit: each
// metric's value now, with its maximum over the seconds held when there is
// room.
func (m Model) summary(width int, metrics []metric, series [][]uint32) string {
	st := m.styles
	render := func(title string, withMax bool) string {
		var b strings.Builder
		if title != "" {
			b.WriteString(st.title.Render(title) + " ")
		}
		for i, mt := range metrics {
			if i > 0 {
				b.WriteString(st.muted.Render(" · "))
			}
			now, top := mt.nowAndMax(series[i])
			b.WriteString(st.label.Render(mt.label) + " " + mt.style.Render(commas(int(now))))
			if withMax {
				b.WriteString(st.muted.Render(" max " + commas(int(top))))
			}
		}
		return b.String()
	}
	var last string
	for _, v := range []struct {
		title   string
		withMax bool
	}{
		{fmt.Sprintf("port churn, last %ds:", max(m.s.hist.n, 1)), true},
		{"port churn:", false},
		{"", false},
	} {
		last = render(v.title, v.withMax)
		if ansi.StringWidth(last) <= width {
			break
		}
	}
	return last
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
	if m.scope != "" {
		return m.styles.title.Render(t) + m.styles.muted.Render(" · ") + m.styles.label.Render(m.scope) +
			m.styles.muted.Render(" · "+r)
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
	shown := m.s.hist.series(1, func(b *bucket) uint32 { return b.ephemeral })
	now, _ := lastAndMax(shown)
	peak, of := m.peakShare(max(seconds, 1))
	peakText := Percent(peak)
	if of.Known() && of != m.ephemeral {
		peakText += " of " + of.String()
	}
	text := fmt.Sprintf(" %s %s/%s in use, peak %s",
		Percent(m.share(int(now))), commas(int(now)), commas(m.ephemeral.Size()), peakText)
	bar := min(max(width-labelWidth-len(text), 0), 40)
	return label + st.ephemeral.Render(Gauge(m.share(int(now)), bar)) + text
}

// destLines are the heading and up to rows top destinations (or, with
// rows > 0 and none, a line saying so).
func (m Model) destLines(width, rows int) []string {
	st := m.styles
	head := m.destHeading(width)
	top := m.s.top
	if rows <= 0 {
		return []string{head}
	}
	if len(top) == 0 {
		return []string{head, st.muted.Render("  no sockets connected to a remote port")}
	}
	top = top[:min(len(top), rows)]
	destWidth := 0
	for _, dc := range top {
		destWidth = max(destWidth, ansi.StringWidth(m.destLabel(dc.Dest)))
	}
	const markWidth = 7 // "⚠ WARN "
	numbers := 8 + 5    // " 16,210" and "  57%"
	destWidth = min(destWidth, max(width-markWidth-numbers, 10))
	// Who holds the ports, when there is room for a name and its share
	// after a shorter bar; else the bar alone.
	const minOwners = 14 // "  curl 100%, …"
	withOwners := len(m.s.owners) > 0 && width-markWidth-destWidth-numbers-1-10 >= minOwners
	barMax := 20
	if withOwners {
		barMax = 10
	}
	bar := min(max(width-markWidth-destWidth-numbers-1, 0), barMax)

	lines := []string{head}
	for i, dc := range top {
		share := m.destShare(dc)
		mark := strings.Repeat(" ", markWidth)
		switch {
		case m.full(dc): // no port left for a connect() to it
			mark = st.warn.Render("⚠ FULL ")
		case share > m.threshold:
			mark = st.warn.Render("⚠ WARN ")
		}
		dest := ansi.Truncate(m.destLabel(dc.Dest), destWidth, "…")
		dest += strings.Repeat(" ", max(destWidth-ansi.StringWidth(dest), 0))
		pct := "-"
		known := m.rangeFor(dc.Dest.Netns).Known()
		if known {
			pct = Percent(share)
		}
		line := fmt.Sprintf("%s%s %7s %4s", mark, dest, commas(dc.Ports), pct)
		if bar > 0 && known {
			line += " " + st.ephemeral.Render(Gauge(share, bar))
		}
		if withOwners && i < len(m.s.owners) {
			if ow := ownersText(m.s.owners[i], dc.Ports); ow != "" {
				line += "  " + st.muted.Render(ow)
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// destHeading names the columns, shorter when the full text does not fit.
func (m Model) destHeading(width int) string {
	st := m.styles
	of := m.ephemeral.String()
	if len(m.others) > 0 {
		// Other namespaces' destinations are shares of their own range.
		of = "its netns's range"
	}
	abouts := []string{
		fmt.Sprintf(" · local ports held · share of %s · WARN over %s · held by", of, Percent(m.threshold)),
		fmt.Sprintf(" · local ports held · share of %s · WARN over %s", of, Percent(m.threshold)),
		fmt.Sprintf(" · ports held · share of %s · WARN >%s", of, Percent(m.threshold)),
		fmt.Sprintf(" · ports · share of %s · WARN >%s", of, Percent(m.threshold)),
		fmt.Sprintf(" · ports · share · WARN >%s", Percent(m.threshold)),
	}
	if !m.known() {
		abouts = []string{
			" · local ports held · held by (OS ephemeral range unknown: no share, no warning)",
			" · local ports held (OS ephemeral range unknown: no share, no warning)",
			" · ports held (range unknown: no share)",
		}
	}
	const title = "top destinations"
	// The scope goes first: a narrow panel cuts the end, never what the
	// figures are of.
	scope := ""
	if m.scope != "" {
		scope = m.scope + ": "
	}
	about := abouts[len(abouts)-1]
	for _, a := range abouts {
		if ansi.StringWidth(scope+title+a) <= width {
			about = a
			break
		}
	}
	return st.label.Render(scope) + st.title.Render(title) + st.muted.Render(about)
}
