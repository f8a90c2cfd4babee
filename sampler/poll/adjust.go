package poll

import (
	"iter"

	"github.com/porttop/porttop/sampler"
)

// adjustments are the Reconciler's changes to base since it was sampled
// (see adjustment), by release key (see releaseKey): those with a cookie
// by cookie and protocol, a 16-byte key hashed as plain memory, and the
// rest by their 80-byte ID, whose addresses hash field by field. Under
// churn every transition and release looks its socket up here: with the
// ID as key, hashing was a tenth of watch's CPU.
type adjustments struct {
	byCookie map[cookieKey]adjustment
	byID     map[sampler.ID]adjustment // keys without a cookie
}

func newAdjustments() adjustments {
	return adjustments{byCookie: map[cookieKey]adjustment{}, byID: map[sampler.ID]adjustment{}}
}

// get is the adjustment of release key key.
func (a *adjustments) get(key sampler.ID) (adjustment, bool) {
	if key.Cookie != 0 {
		v, ok := a.byCookie[cookieKey{key.Cookie, key.Proto}]
		return v, ok
	}
	v, ok := a.byID[key]
	return v, ok
}

// set records v for release key key.
func (a *adjustments) set(key sampler.ID, v adjustment) {
	if key.Cookie != 0 {
		a.byCookie[cookieKey{key.Cookie, key.Proto}] = v
		return
	}
	a.byID[key] = v
}

// len is how many sockets are adjusted.
func (a *adjustments) len() int { return len(a.byCookie) + len(a.byID) }

// clear forgets every adjustment.
func (a *adjustments) clear() {
	clear(a.byCookie)
	clear(a.byID)
}

// all yields every adjustment with its release key, in no order.
func (a *adjustments) all() iter.Seq2[sampler.ID, adjustment] {
	return func(yield func(sampler.ID, adjustment) bool) {
		for k, v := range a.byCookie {
			if !yield(sampler.ID{Cookie: k.cookie, Proto: k.proto}, v) {
				return
			}
		}
		for k, v := range a.byID {
			if !yield(k, v) {
				return
			}
		}
	}
}
