package churn

import "github.com/porttop/porttop/sampler/ports"

// SetEphemeral follows a change of the OS ephemeral range (sysctl -w
// net.ipv4.ip_local_port_range) while the panel is open: the title, gauge,
// destinations' shares and warnings are of eph from the next Observe on.
// The gauge's history counted ports of the old range, which are no share of
// the new one, so the peak starts again; the rates are kept.
func (m Model) SetEphemeral(eph ports.Range) Model {
	if eph == m.ephemeral {
		return m
	}
	m.ephemeral = eph
	if m.s != nil {
		for i := range m.s.hist.b {
			m.s.hist.b[i].ephemeral = 0
		}
	}
	return m
}
