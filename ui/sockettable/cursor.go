package sockettable

// visibleRows is how many data rows fit under the column header.
func (m Model) visibleRows() int { return max(m.height-1, 0) }

// MoveBy moves the cursor n rows (negative: up), clamped to the table.
func (m *Model) MoveBy(n int) {
	m.moveTo(m.cursor + n)
}

// PageDown moves a screenful down.
func (m *Model) PageDown() { m.MoveBy(max(m.visibleRows()-1, 1)) }

// PageUp moves a screenful up.
func (m *Model) PageUp() { m.MoveBy(-max(m.visibleRows()-1, 1)) }

// Home goes to the first row.
func (m *Model) Home() { m.moveTo(0) }

// End goes to the last row.
func (m *Model) End() { m.moveTo(len(m.rows) - 1) }

func (m *Model) moveTo(i int) {
	m.cursor = max(min(i, len(m.rows)-1), 0)
	m.scrollToCursor()
	if m.cursor < len(m.rows) {
		m.selected, m.hasSelected = m.rowAt(m.cursor).s.ID, true
	}
}

// followSelection keeps the cursor on the socket it was on after the rows
// changed; if that socket is gone the cursor stays at the same height.
func (m *Model) followSelection() {
	if m.hasSelected {
		c := m.selected.Cookie
		for i := range m.rows {
			// the cookie first: a uint64 is quicker to compare than an ID
			if m.rows[i].cookie == c && m.rows[i].s.ID == m.selected {
				m.cursor = i
				if m.pend.on {
					m.cursor = m.rankOf(i)
				}
				m.scrollToCursor()
				return
			}
		}
	}
	m.cursor = max(min(m.cursor, len(m.rows)-1), 0)
	m.scrollToCursor()
	if m.cursor < len(m.rows) {
		m.selected, m.hasSelected = m.rowAt(m.cursor).s.ID, true
	}
}

func (m *Model) scrollToCursor() {
	h := m.visibleRows()
	if h <= 0 {
		m.offset = 0
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(min(m.offset, len(m.rows)-h), 0)
}
