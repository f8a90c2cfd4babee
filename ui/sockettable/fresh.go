package sockettable

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// freshSet is when each new socket's highlight ends (unix nanoseconds):
// by cookie where it has one, an 8-byte key and value where the ID and a
// time.Time took 104 bytes (2,000 opens a second keep ~10k of them, in a
// map that never gives its room back), by ID otherwise. Written in place,
// on the UI goroutine only.
type freshSet struct {
	byCookie map[uint64]int64
	byID     map[sampler.ID]int64
}

func newFreshSet() freshSet {
	return freshSet{byCookie: map[uint64]int64{}, byID: map[sampler.ID]int64{}}
}

func (f freshSet) len() int { return len(f.byCookie) + len(f.byID) }

func (f freshSet) set(id sampler.ID, until time.Time) {
	if id.Cookie != 0 {
		f.byCookie[id.Cookie] = until.UnixNano()
	} else {
		f.byID[id] = until.UnixNano()
	}
}

func (f freshSet) del(id sampler.ID) {
	if id.Cookie != 0 {
		delete(f.byCookie, id.Cookie)
	} else {
		delete(f.byID, id)
	}
}

// on reports whether id's highlight is on at now.
func (f freshSet) on(id sampler.ID, now time.Time) bool {
	var until int64
	var ok bool
	if id.Cookie != 0 {
		until, ok = f.byCookie[id.Cookie]
	} else {
		until, ok = f.byID[id]
	}
	return ok && now.UnixNano() < until
}

// expire forgets the highlights whose time is up at now, reporting
// whether there were any.
func (f freshSet) expire(now time.Time) (any bool) {
	t := now.UnixNano()
	for c, until := range f.byCookie {
		if t >= until {
			delete(f.byCookie, c)
			any = true
		}
	}
	for id, until := range f.byID {
		if t >= until {
			delete(f.byID, id)
			any = true
		}
	}
	return any
}
