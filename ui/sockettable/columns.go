package sockettable

// column is one column of the table. Columns are fitted to the width by
// priority: the required ones first at their minimum, then the optional ones
// while they fit, then every column grows towards its ideal width, and what
// is left goes to the addresses (IPv6 needs room).
type column struct {
	id       columnID
	title    string
	short    string // title when the column is narrower than title
	min, max int
	optional bool
	right    bool // right-aligned (numbers)
	// yields: shown only while LOCAL and REMOTE keep addrFloor cells each,
	// so an endpoint is shortened for the addresses' sake, not for these.
	yields bool
}

type columnID uint8

const (
	colProto columnID = iota
	colLocal
	colRemote
	colState
	colPID
	colProcess
	colService
	colAge
	colPlace // NS/WORKLOAD: shown only when some socket is elsewhere (see places)
)

// gutterWidth holds the cursor, the new/gone glyph and the ephemeral marker,
// then a space: "> +* ".
const gutterWidth = 4

// columnsInPriority lists the columns in the order they earn space.
var columnsInPriority = []column{
	{id: colProto, title: "PROTO", short: "PRT", min: 4, max: 4},
	{id: colLocal, title: "LOCAL", min: 11, max: 21},
	{id: colRemote, title: "REMOTE", min: 11, max: 21},
	{id: colState, title: "STATE", min: 11, max: 11},
	{id: colProcess, title: "PROCESS", min: 7, max: 16, optional: true},
	{id: colAge, title: "AGE", min: 6, max: 6, optional: true, right: true},
	{id: colPID, title: "PID", min: 7, max: 7, optional: true, right: true, yields: true},
	{id: colService, title: "SERVICE", min: 7, max: 12, optional: true, yields: true},
	{id: colPlace, title: "NS/WORKLOAD", short: "NS", min: 8, max: 28, optional: true, yields: true},
}

// growSteps is how spare width is handed out: addresses first, both to
// addrFloor, then to fit most IPv4 endpoints, then names, then the addresses
// to their full IPv4 width, the protocol title, and whatever is left to the
// addresses for IPv6.
var growSteps = []struct {
	id columnID
	to int
}{
	{colLocal, addrFloor}, {colRemote, addrFloor}, {colLocal, 17}, {colRemote, 17}, {colProcess, 14}, {colService, 12},
	{colLocal, 21}, {colRemote, 21}, {colProto, 5}, {colProcess, 16},
	{colPlace, 24}, {colRemote, 47}, {colLocal, 47}, {colPlace, 28},
}

// displayOrder is the left-to-right order on screen.
var displayOrder = []columnID{colProto, colLocal, colRemote, colState, colPID, colProcess, colService, colPlace, colAge}

// sortColumn is the column whose title carries the sort marker.
func sortColumn(k SortKey) columnID {
	switch k {
	case ByState:
		return colState
	case ByProcess:
		return colProcess
	case ByAge:
		return colAge
	}
	return colLocal
}

// layout is the fitted columns, in display order, with their widths.
type layout struct {
	width int
	cols  []column // display order; only those that fit
	w     map[columnID]int
}

// fit lays the columns out in width cells (including the gutter), without
// NS/WORKLOAD.
func fit(width int) layout { return fitPlace(width, false) }

// fitPlace is fit with NS/WORKLOAD among the optional columns when place
// is true (the last to earn space: it gives way first).
func fitPlace(width int, place bool) layout {
	avail := width - gutterWidth
	w := map[columnID]int{}
	used := -1 // n columns need n-1 separating spaces
	// reserve is what the addresses need on top of their minimum to keep
	// addrFloor cells each.
	reserve := 2*addrFloor - columnByID(colLocal).min - columnByID(colRemote).min
	for _, c := range columnsInPriority {
		if c.id == colPlace && !place {
			continue
		}
		need := used + 1 + c.min
		if c.yields {
			need += reserve
		}
		if c.optional && need > avail {
			continue
		}
		w[c.id] = c.min
		used += 1 + c.min
	}
	for _, g := range growSteps {
		cur, ok := w[g.id]
		if !ok {
			continue
		}
		if grow := min(g.to-cur, avail-used); grow > 0 {
			w[g.id] += grow
			used += grow
		}
	}
	l := layout{width: width, w: w}
	for _, id := range displayOrder {
		if _, ok := w[id]; ok {
			l.cols = append(l.cols, columnByID(id))
		}
	}
	return l
}

func columnByID(id columnID) column {
	for _, c := range columnsInPriority {
		if c.id == id {
			return c
		}
	}
	return column{}
}
