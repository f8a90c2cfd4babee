package portmap

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler/ports"
)

// cellKind is everything that decides how a cell is styled; consecutive
// cells of one kind are rendered as one run.
type cellKind struct {
	class     ports.Class
	ephemeral bool
	flash     bool
	cursor    bool
}

// View draws the map into the size SetSize gave it; see view.
func (m Model) View() string { return m.view(m.width, m.height) }

// view draws the map into width x height: the grid, then the axis strip, the
// cursor line, the cursor block's ports in use and a legend, dropping footer
// lines (legend first) when the area is short. It records the geometry for
// the cursor keys.
func (m Model) view(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	c := m.c
	if c == nil {
		c = &counts{}
	}
	g := layout(width, height)
	c.geo = g
	m.c = c

	used := make([]int32, g.cells())
	flashes := make([]int32, g.cells())
	for i := range used {
		r := g.cellRange(i)
		used[i] = int32(c.inUse.count(int(r.Lo), int(r.Hi)+1))
	}
	for _, p := range c.recent {
		if c.flashing(p) {
			flashes[g.cellOf(p)]++
		}
	}
	cursorCell := g.cellOf(m.cursor)

	lines := make([]string, 0, g.rows+footerLines)
	for row := 0; row < g.rows; row++ {
		lines = append(lines, m.gridRow(g, row, used, flashes, cursorCell))
	}
	sel := g.cellRange(cursorCell)
	footer := []string{
		m.axisStrip(g),
		m.cursorLine(sel, int(used[cursorCell]), int(flashes[cursorCell]), width),
		m.portsLine(sel, width),
		m.legend(width),
	}
	// Short areas lose the legend, then the port list, then the strip; the
	// grid keeps at least one row.
	room := max(height-len(lines), 0)
	switch {
	case room >= 4:
	case room == 3:
		footer = footer[:3]
	case room == 2:
		footer = footer[:2]
	default:
		footer = footer[1:2]
		lines = lines[:max(min(len(lines), height-1), 1)]
	}
	lines = append(lines, footer...)
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}

// gridRow draws one row: the label of its first port, the ephemeral marker
// and its cells.
func (m Model) gridRow(g geometry, row int, used, flashes []int32, cursorCell int) string {
	st := m.styles
	var b strings.Builder
	first := row * g.cols
	fmt.Fprintf(&b, "%5d ", first*g.block)
	b.WriteString(m.rowMarker(g, row))

	var run strings.Builder
	var runKind cellKind
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(st.cellStyle(runKind).Render(run.String()))
			run.Reset()
		}
	}
	for cell := first; cell < first+g.cols && cell < len(used); cell++ {
		r := g.cellRange(cell)
		k := cellKind{
			class:     majorityClass(r),
			ephemeral: overlaps(r, m.ephemeral),
			flash:     flashes[cell] > 0,
			cursor:    cell == cursorCell,
		}
		glyph := densityGlyph(int(used[cell]), r.Size())
		if st.Plain {
			// No attributes to show them with: glyphs instead.
			switch {
			case k.cursor:
				glyph = '◆'
			case k.flash:
				glyph = '*'
			}
		}
		if k != runKind {
			flush()
			runKind = k
		}
		run.WriteRune(glyph)
	}
	flush()
	return b.String()
}

// rowMarker outlines the ephemeral range in the gutter: ┌ on its first row,
// │ through it, └ on its last ([ when it fits in one row).
func (m Model) rowMarker(g geometry, row int) string {
	rowRange := func(r int) ports.Range {
		lo := g.cellRange(r * g.cols).Lo
		hi := g.cellRange(min((r+1)*g.cols, g.cells()) - 1).Hi
		return ports.Range{Lo: lo, Hi: hi}
	}
	if !overlaps(rowRange(row), m.ephemeral) {
		return " "
	}
	startsHere := rowRange(row).Contains(m.ephemeral.Lo)
	endsHere := rowRange(row).Contains(m.ephemeral.Hi)
	mark := "│"
	switch {
	case startsHere && endsHere:
		mark = "["
	case startsHere:
		mark = "┌"
	case endsHere:
		mark = "└"
	}
	return m.styles.marker.Render(mark)
}

// axisStrip is the whole port space on one line, 0 at the left and 65535 at
// the right: [===] is the OS ephemeral range, | the IANA class boundaries
// (1024 and 49152), so the overlap of the two schemes shows in any profile.
func (m Model) axisStrip(g geometry) string {
	st := m.styles
	var b strings.Builder
	b.WriteString(st.muted.Render("0-65k  "))
	cols := g.cols
	for i := 0; i < cols; i++ {
		r := ports.Range{Lo: uint16(i * portCount / cols), Hi: uint16((i+1)*portCount/cols - 1)}
		boundary := r.Contains(1024) || r.Contains(49152)
		switch {
		case r.Contains(m.ephemeral.Lo) && m.ephemeral.Size() > 0:
			b.WriteString(st.marker.Render("["))
		case r.Contains(m.ephemeral.Hi) && m.ephemeral.Size() > 0:
			b.WriteString(st.marker.Render("]"))
		case boundary:
			b.WriteString(st.class[ports.ClassOf(r.Hi)].Render("|"))
		case overlaps(r, m.ephemeral):
			b.WriteString(st.marker.Render("="))
		default:
			b.WriteString(st.class[majorityClass(r)].Render("-"))
		}
	}
	return b.String()
}
