package portmap

import "github.com/porttop/porttop/sampler/ports"

// SetEphemeral follows a change of the OS ephemeral range while the map is
// open: the tint, gutter marks, axis and footer show eph from the next
// View on. An unknown range is taken as empty, as in New; the cursor stays.
func (m Model) SetEphemeral(eph ports.Range) Model {
	if !eph.Known() {
		eph = ports.Range{Lo: 1, Hi: 0}
	}
	m.ephemeral = eph
	return m
}
