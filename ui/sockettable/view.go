package sockettable

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// SortMarker follows the title of the column the table is sorted by.
const SortMarker = "▾"

// view renders the column header and the rows on screen, nothing more.
func (m Model) view(now time.Time, focused bool) string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	l := fitPlace(m.width, m.places.show)
	var b strings.Builder
	b.WriteString(m.header(l))
	end := min(m.offset+m.visibleRows(), len(m.rows))
	for i := m.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(m.renderRow(l, m.rowAt(i), now, focused && i == m.cursor))
	}
	return b.String()
}

func (m Model) header(l layout) string {
	sorted := sortColumn(m.sort)
	parts := make([]string, 0, len(l.cols))
	for _, c := range l.cols {
		title := c.title
		if len(title) > l.w[c.id] && c.short != "" {
			title = c.short
		}
		if c.id == sorted {
			title += SortMarker
		}
		parts = append(parts, cell(title, l.w[c.id], c.right))
	}
	line := strings.Repeat(" ", gutterWidth) + strings.Join(parts, " ")
	return m.opts.Styles.ColumnHeader.Render(cell(line, l.width, false))
}

// cells is one row as plain text, column by column in display order.
func (m Model) cells(l layout, r row, mark Mark, now time.Time) []string {
	s := r.s
	out := make([]string, len(l.cols))
	for i, c := range l.cols {
		var v string
		switch c.id {
		case colProto:
			v = s.Proto.String()
			if s.Family() == 6 {
				v += "6"
			}
		case colLocal:
			v = fitAddr(s.Local, l.w[c.id])
		case colRemote:
			v = fitAddr(s.Remote, l.w[c.id])
		case colState:
			v = s.State.String()
			if v == "" {
				v = "-"
			}
		case colPID:
			if s.PID > 0 {
				v = strconv.Itoa(int(s.PID))
			}
		case colProcess:
			v = m.process(s)
		case colService:
			v = Service(s, m.rangeOf(s))
		case colAge:
			v = m.age(r, mark, now)
		case colPlace:
			v = placeLabel(&s.Place, m.places.own)
		}
		out[i] = cell(v, l.w[c.id], c.right)
	}
	return out
}

// age is how long the socket has lived; for a closed one, how long it was
// held, frozen (0 for one that lived and died between samples, as the feed
// says), never a clock that goes on counting after the close. A TIME_WAIT
// socket whose timer the source reports shows the time left on it instead,
// as "-45s".
func (m Model) age(r row, mark Mark, now time.Time) string {
	if mark == Gone {
		if l, ok := m.lingering.get(r.s.ID); ok {
			return FormatAge(l.held)
		}
	}
	if r.s.State == sampler.StateTimeWait && !r.s.TimeWaitEnds.IsZero() {
		// What is left of it matters more than how long it has lived: the
		// kernel's timer (ss -o's timewait), counting down.
		return "-" + FormatAge(max(r.s.TimeWaitEnds.Time().Sub(now), 0))
	}
	if r.s.Since.IsZero() {
		return ""
	}
	return FormatAge(now.Sub(r.s.Since.Time()))
}

func (m Model) renderRow(l layout, r row, now time.Time, isCursor bool) string {
	mark := m.markOf(r, now)
	cells := m.cells(l, r, mark, now)
	key := rowKey{id: r.s.ID, mark: mark, state: r.s.State, pid: r.s.PID, process: r.s.Process, text: strings.Join(cells, "\x00"), cursor: isCursor}
	if line, ok := m.cache.get(key); ok {
		return line
	}
	line := m.paint(l, r, mark, cells, isCursor)
	m.cache.put(key, line, max(m.visibleRows()*4, 64))
	return line
}

// paint styles one row. The cursor row and lingering rows get one style over
// the whole line so reverse video and faintness run edge to edge.
func (m Model) paint(l layout, r row, mark Mark, cells []string, isCursor bool) string {
	st := m.opts.Styles
	cur := " "
	if isCursor {
		cur = CursorGlyph
	}
	eph := " "
	if inEphemeral(m.rangeOf(r.s), r.s.Local.Port()) {
		eph = EphemeralGlyph
	}
	gutter := cur + mark.Glyph() + eph + " "
	if isCursor || mark == Gone {
		whole := st.Gone
		if isCursor {
			whole = st.Cursor
		}
		return whole.Render(cell(gutter+strings.Join(cells, " "), l.width, false))
	}
	var b strings.Builder
	b.WriteString(cur)
	if mark == Fresh {
		b.WriteString(st.Opened.Bold(true).Render(mark.Glyph()))
	} else {
		b.WriteString(" ")
	}
	if eph != " " {
		b.WriteString(st.Ephemeral.Render(eph))
	} else {
		b.WriteString(" ")
	}
	b.WriteString(" ")
	text := st.Text
	if mark == Fresh {
		text = text.Bold(true)
	}
	used := gutterWidth
	for i, c := range l.cols {
		if i > 0 {
			b.WriteString(" ")
			used++
		}
		s := text
		if c.id == colLocal {
			s = m.rangeStyle(r.s.Local.Port())
			if mark == Fresh {
				s = s.Bold(true)
			}
		}
		b.WriteString(s.Render(cells[i]))
		used += l.w[c.id]
	}
	if used < l.width {
		b.WriteString(strings.Repeat(" ", l.width-used))
	}
	return b.String()
}

func (m Model) rangeStyle(port uint16) lipgloss.Style {
	st := m.opts.Styles
	switch ports.ClassOf(port) {
	case ports.WellKnown:
		return st.WellKnown
	case ports.Registered:
		return st.Registered
	}
	return st.Dynamic
}

// rowKey is everything a rendered row depends on; the cache is reset when
// the width changes.
type rowKey struct {
	id      sampler.ID
	mark    Mark
	state   sampler.State
	pid     int32
	process string
	text    string
	cursor  bool
}

// rowCache keeps rendered rows between frames. It is a pointer inside the
// Model so that View, which has a value receiver, can fill it.
type rowCache struct{ lines map[rowKey]string }

func newRowCache() *rowCache { return &rowCache{lines: map[rowKey]string{}} }

func (c *rowCache) reset() { clear(c.lines) }

func (c *rowCache) get(k rowKey) (string, bool) {
	s, ok := c.lines[k]
	return s, ok
}

// put stores a row, starting over when the cache outgrows a few screens so
// memory stays bounded however long porttop runs.
func (c *rowCache) put(k rowKey, line string, limit int) {
	if len(c.lines) >= limit {
		c.reset()
	}
	c.lines[k] = line
}
