package portmap

import (
	"slices"

	"github.com/porttop/porttop/sampler/ports"
)

const (
	portCount = 65536
	// gutterWidth is the row label ("65535 ") plus the ephemeral marker.
	gutterWidth = 7
	// footerLines are the axis strip, the cursor line, the block's ports
	// and the legend.
	footerLines = 4
)

// geometry is how the port space is laid out in an area.
type geometry struct {
	cols, rows int // grid size in cells (rows actually used)
	block      int // ports per cell
}

// cells is how many cells hold ports.
func (g geometry) cells() int { return (portCount + g.block - 1) / g.block }

// cellOf is the cell holding port p.
func (g geometry) cellOf(p uint16) int { return int(p) / g.block }

// cellRange is the ports of cell c.
func (g geometry) cellRange(c int) ports.Range {
	lo := c * g.block
	hi := min(lo+g.block-1, portCount-1)
	return ports.Range{Lo: uint16(lo), Hi: uint16(hi)}
}

// layout fits the port space into width x height: the grid gets what the
// gutter and footer leave, each cell holds ceil(65536/cells) ports, and rows
// the ports do not reach are dropped. Tiny areas still get one cell per row
// and column, so the result may be bigger than asked; View trims it.
func layout(width, height int) geometry {
	cols := max(width-gutterWidth, 1)
	rows := max(height-footerLines, 1)
	block := (portCount + cols*rows - 1) / (cols * rows)
	g := geometry{cols: cols, block: block}
	g.rows = (g.cells() + cols - 1) / cols
	return g
}

// defaultGeometry is used for cursor moves before the first View.
var defaultGeometry = layout(80, 24)

// majorityClass is the IANA class of most of r's ports. A block straddles at
// most one class boundary, so the class of its middle port is the majority
// (on an exact tie, the lower class).
func majorityClass(r ports.Range) ports.Class {
	return ports.ClassOf(r.Lo + (r.Hi-r.Lo)/2)
}

// densityGlyphs shade a cell by the share of its ports in use. A free cell is
// a faint dot in its class colour, never blank: on an idle machine the IANA
// ranges must still be visible.
var densityGlyphs = [...]rune{'·', '▪', '░', '▒', '▓', '█'}

// densityGlyph picks the glyph for used of size ports in use: the dot only
// when none is, full only when all are, so a single socket always shows.
func densityGlyph(used, size int) rune {
	switch {
	case used <= 0 || size <= 0:
		return densityGlyphs[0]
	case used >= size:
		return densityGlyphs[5]
	}
	share := float64(used) / float64(size)
	switch {
	case share < 0.10:
		return densityGlyphs[1]
	case share < 0.35:
		return densityGlyphs[2]
	case share < 0.65:
		return densityGlyphs[3]
	}
	return densityGlyphs[4]
}

// overlaps reports whether ranges a and b share a port.
func overlaps(a, b ports.Range) bool {
	return a.Size() > 0 && b.Size() > 0 && a.Lo <= b.Hi && b.Lo <= a.Hi
}

// landmarks are where pgup/pgdn stop: the IANA class starts and the OS
// ephemeral range's ends, ascending and without repeats.
func landmarks(eph ports.Range) []int {
	marks := []int{0, 1024, 49152}
	if eph.Size() > 0 {
		marks = append(marks, int(eph.Lo), int(eph.Hi))
	}
	slices.Sort(marks)
	return slices.Compact(marks)
}
