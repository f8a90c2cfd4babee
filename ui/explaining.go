package ui

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/explain"
)

// explainTarget is the port the pane explains; proto 0 means both.
type explainTarget struct {
	port  uint16
	proto sampler.Proto
}

// target is what enter/i explains: the single-port filter's port when
// there is one, else the cursor row's local port.
func (m Model) target() (explainTarget, bool) {
	if p, ok := m.singlePort(); ok {
		return explainTarget{port: p}, true
	}
	if s, ok := m.table.Selected(); ok {
		return explainTarget{port: s.Local.Port(), proto: s.Proto}, true
	}
	return explainTarget{}, false
}

// openExplain opens the pane on the current target.
func (m *Model) openExplain() {
	t, ok := m.target()
	if !ok {
		m.status.info("nothing to explain: the table is empty (filter one port with / to ask about it)")
		return
	}
	m.explainOn = t
	m.explain.Open("", m.explainText(t, m.explain.InnerWidth())) // the text opens with its own title
}

// refreshExplain keeps an open pane live as batches arrive.
func (m *Model) refreshExplain() {
	if m.explain.IsOpen() {
		m.explain.SetContent(m.explainText(m.explainOn, m.explain.InnerWidth()))
	}
}

// explainText is explain.Text for the port with this run's history and the
// sockets on it now (local or remote side), from the newest snapshot.
func (m Model) explainText(t explainTarget, width int) string {
	h := m.history.Port(t.proto, t.port)
	return explain.Text(explain.Input{
		Port:            t.port,
		Proto:           t.proto,
		OS:              m.cfg.OS,
		Ephemeral:       m.cfg.Ephemeral,
		EphemeralSource: m.cfg.EphemeralSource,
		OwnNetns:        m.cfg.OwnNetns,
		Now:             m.now(),
		Sockets:         socketsOnPort(m.viewSockets(), t),
		Live:            m.stats.seen,
		History:         &h,
		Started:         m.started,
		FirstSample:     m.start.First(),
		OpenAtStart:     m.start.OpenAtStart,
		OwnersVisible:   m.cfg.Replay == nil && m.stats.seen && !m.table.OwnersHidden(),
		Recorded:        m.cfg.Replay != nil,
		Failures:        m.stats.failures,
	}, width)
}

// socketsOnPort picks the sockets using the port on either side.
func socketsOnPort(all []sampler.Socket, t explainTarget) []sampler.Socket {
	var out []sampler.Socket
	for i := range all {
		s := &all[i]
		if t.proto != 0 && s.Proto != t.proto {
			continue
		}
		if s.UsesPort(t.port) {
			out = append(out, *s)
		}
	}
	return out
}
