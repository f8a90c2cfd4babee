package portmap

import (
	"github.com/porttop/porttop/sampler/ports"
)

// Model is the port-space map. It is a small value; its fixed-size counts
// (about 600 KiB, whatever the load) sit behind a pointer that copies share,
// so Observe on one copy is seen by all. Keep one Model in the parent and
// replace it with what each method returns, as with any bubbletea component.
type Model struct {
	styles    Styles
	ephemeral ports.Range
	keys      KeyMap
	// scope is what the map shows (SetScope), escaped; "" says nothing.
	scope string
	// cursor is a port in the cursor's block; a port rather than a cell so
	// that the cursor stays on the same ports when the terminal is resized.
	cursor uint16
	c      *counts
	// width and height are the area SetSize gave.
	width, height int
}

// New makes a map for the OS ephemeral range eph (ports.EphemeralRange). An
// empty range (Lo > Hi) is allowed: nothing is then marked ephemeral; an
// unknown one (ports.Range.Known) is taken as empty.
func New(styles Styles, eph ports.Range) Model {
	if !eph.Known() {
		eph = ports.Range{Lo: 1, Hi: 0}
	}
	return Model{styles: styles, ephemeral: eph, keys: DefaultKeyMap(), cursor: eph.Lo, c: &counts{}}
}

// SetSize sets the map's area, footer lines included.
func (m *Model) SetSize(width, height int) { m.width, m.height = width, height }

// Selected is the cursor's block of ports, for the parent to filter on.
func (m Model) Selected() ports.Range {
	g := m.geometry()
	return g.cellRange(g.cellOf(m.cursor))
}

// geometry is the layout of the last View, or a default before any.
func (m Model) geometry() geometry {
	if m.c == nil || m.c.geo.block == 0 {
		return defaultGeometry
	}
	return m.c.geo
}
