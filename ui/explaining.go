package ui

import (
	"fmt"
	"strings"

	"github.com/porttop/porttop/sampler"
)

// explainTarget is the port the pane explains and the socket it came from
// (zero when it came from a single-port filter).
type explainTarget struct {
	port   uint16
	proto  sampler.Proto
	socket *sampler.Socket
}

// target is what enter/i explains: the single-port filter's port when
// there is one, else the cursor row's local port.
func (m Model) target() (explainTarget, bool) {
	if p, ok := m.singlePort(); ok {
		return explainTarget{port: p}, true
	}
	if s, ok := m.table.Selected(); ok {
		return explainTarget{port: s.Local.Port(), proto: s.Proto, socket: &s}, true
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
	title := fmt.Sprintf("Port %d", t.port)
	if t.proto != 0 {
		title += "/" + t.proto.String()
	}
	m.explain.Open(title, m.explainText(t))
	m.explainOn = t
}

// refreshExplain keeps an open pane's "this run" part live.
func (m *Model) refreshExplain() {
	if m.explain.IsOpen() {
		m.explain.SetContent(m.explainText(m.explainOn))
	}
}

// explainText is the pane's content: what the port is, then what this run
// saw of it.
func (m Model) explainText(t explainTarget) string {
	w := m.explain.InnerWidth()
	st := m.styles
	var lines []string
	lines = append(lines, m.portDescription(t, w))
	lines = append(lines, "", st.Title.Render("This run"))
	lines = append(lines, historyLines(m.history.Port(t.proto, t.port), m.started, m.now())...)
	return wrapLines(lines, w)
}

// portDescription is what the port is: IANA's word on it and its ranges.
func (m Model) portDescription(t explainTarget, width int) string {
	proto := ""
	if t.proto != 0 {
		proto = t.proto.String()
	}
	return strings.Join([]string{ianaLine(t.port, proto), rangesLine(t.port, m.cfg.Ephemeral)}, "\n")
}
