package portmap

import "github.com/porttop/porttop/ui/safe"

// SetScope names what the map shows, when the parent shows one network
// namespace at a time ("netns blue", "all netns"): the cursor line, which
// every map height keeps, starts with it, so a map of one namespace is
// never read as the machine's. "" says nothing. The label is escaped
// here: a namespace's name is anyone's text.
func (m Model) SetScope(label string) Model {
	m.scope = safe.Text(label)
	return m
}

// Scope is the label SetScope gave, escaped.
func (m Model) Scope() string { return m.scope }
