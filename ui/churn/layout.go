package churn

// The panel is often given only a few lines (a third of the screen under the
// table: 4 at 60x16, 6 at 80x24, 7 or 8 at 100x30), so its lines are shared
// out in this order of priority, each step taking what is left:
//
//  1. the destinations heading and the top destination (or the line saying
//     there is none): ports run out per destination, the panel's point;
//  2. the ephemeral gauge: how full the range is overall;
//  3. the next destinations, up to the top 3;
//  4. one summary line with the three churn values now (hand-outs/s,
//     releases/s, TIME_WAIT);
//  5. the next destinations, up to the top 5;
//  6. the three sparklines in place of the summary (2 lines more), then the
//     title above them (1 more);
//  7. every further destination.
//
// On screen they go title or summary, sparklines, gauge, heading,
// destinations, top to bottom.
const (
	firstDests = 3 // destinations before the churn summary
	moreDests  = 5 // destinations before the sparklines
)

// layout is which parts of the panel get a line.
type layout struct {
	title      bool // "port churn, last Ns · OS ephemeral range …"
	sparklines bool // the three sparkline rows
	summary    bool // the churn values on one line, when sparklines do not fit
	gauge      bool
	heading    bool
	dests      int // rows under the heading
}

// lines is how many lines l takes.
func (l layout) lines() int {
	n := l.dests
	for _, b := range []bool{l.title, l.summary, l.gauge, l.heading} {
		if b {
			n++
		}
	}
	if l.sparklines {
		n += 3
	}
	return n
}

// plan shares height lines out by the priority above, for dests
// destinations (0 still takes a row: the line saying there are none).
func plan(height, dests int) layout {
	var l layout
	left := max(height, 0)
	take := func(n int) bool {
		if left < n {
			return false
		}
		left -= n
		return true
	}
	rows := max(dests, 1)
	growDests := func(upTo int) {
		n := min(max(min(upTo, rows)-l.dests, 0), left)
		l.dests += n
		left -= n
	}
	if l.heading = take(1); !l.heading {
		return l
	}
	growDests(1)
	l.gauge = take(1)
	growDests(firstDests)
	l.summary = take(1)
	growDests(moreDests)
	if l.summary && take(2) {
		l.summary, l.sparklines = false, true
		l.title = take(1)
	}
	growDests(rows)
	return l
}
