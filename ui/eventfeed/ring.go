package eventfeed

// ring is a fixed-size buffer of entries: the oldest falls out when full, so
// the feed's memory is bounded however long porttop runs.
type ring struct {
	buf   []entry
	start int // index of the oldest
	n     int
}

func newRing(size int) *ring { return &ring{buf: make([]entry, size)} }

// push adds e, returning the oldest entry if it fell out to make room.
func (r *ring) push(e entry) (old entry, dropped bool) {
	if len(r.buf) == 0 {
		return entry{}, false
	}
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = e
		r.n++
		return entry{}, false
	}
	old = r.buf[r.start]
	r.buf[r.start] = e
	r.start = (r.start + 1) % len(r.buf)
	return old, true
}

// newest returns the i-th newest entry (0 = newest).
func (r *ring) newest(i int) *entry {
	return &r.buf[(r.start+r.n-1-i)%len(r.buf)]
}

func (r *ring) len() int { return r.n }
