// Package portmap draws all 65,536 ports as one grid, so that port churn on a
// busy machine shows at a glance.
//
// Each cell is a block of ceil(65536/cells) consecutive ports, the number of
// cells set by the area the parent gives View. A cell's glyph says what share
// of its ports is in use ('·' none, '▪' under 10%, '░' under 35%, '▒' under
// 65%, '▓' under 100%, '█' all), so density reads without colour; its colour
// is the IANA class of most of its ports (well-known, registered, dynamic).
// Cells inside the OS ephemeral range get a tinted background, and the gutter
// (┌ │ └) and the axis strip under the grid ([===]) mark that range in any
// colour profile. Cells where a port was handed out in the last two seconds
// flash (bold reverse; '*' when the profile has no attributes). The cursor
// cell is reverse video ('◆' without attributes); the lines under the grid
// describe its block and list the block's ports in use.
//
// API, for the parent model (all value methods; copies share the counts, see
// Model):
//
//	st := portmap.NewStyles(styles) // the screen's style.Styles
//	m := portmap.New(st, ephemeralRange)
//	m = m.Observe(batch.Snapshot, batch.Events, now) // on every batch
//	m, cmd = m.Update(msg)                           // keys while the map has focus
//	m.SetSize(width, height)                         // the area View draws into
//	s := m.View()                                    // never wider or taller than asked
//	r := m.Selected()                                // cursor block, e.g. for `enter` -> filter r.String()
//	km := m.KeyMap()                                 // help.KeyMap for the help bubble
//
// Cursor moves use the geometry of the last View, so call View before the
// first key arrives (bubbletea does).
// Like any bubbletea model it is for one goroutine: call it from Update and
// View, not from the goroutine that reads the feed. pgup/pgdn jump between the landmarks of
// the port space: 0, 1024, 49152 and both ends of the OS ephemeral range.
package portmap
