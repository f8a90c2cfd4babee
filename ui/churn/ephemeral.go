package churn

import "github.com/porttop/porttop/sampler/ports"

// SetEphemeral follows a change of the OS ephemeral range (sysctl -w
// net.ipv4.ip_local_port_range) while the panel is open: the title, gauge,
// destinations' shares and warnings are of eph from the next Observe on.
// The gauge's history keeps each second's count with the range it was a
// share of, so the peak of an incident (100% of a narrowed range) is still
// shown after the range is restored, said to be of the range then; the
// rates are kept.
func (m Model) SetEphemeral(eph ports.Range) Model {
	m.ephemeral = eph
	return m
}

// Ephemeral is the range the panel counts against (New, SetEphemeral).
func (m Model) Ephemeral() ports.Range { return m.ephemeral }

// peakShare is the highest share of its own range over the newest seconds,
// and that range.
func (m Model) peakShare(seconds int) (float64, ports.Range) {
	var top float64
	var of ports.Range
	r := &m.s.hist
	for i := range max(min(seconds, r.n), 0) {
		b := &r.b[slot(r.head-int64(i))]
		if !b.of.Known() {
			continue
		}
		if sh := float64(b.ephemeral) / float64(b.of.Size()); sh > top || !of.Known() {
			top, of = sh, b.of
		}
	}
	return top, of
}
