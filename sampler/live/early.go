package live

import (
	"slices"

	"github.com/porttop/porttop/sampler"
)

// maxEarlyOpens bounds the sockets earlyOpens remembers, should the
// machine-wide first batch never come (its sampler failing): past it, the
// time spans uncovered judges by are all that keep a socket counted once.
const maxEarlyOpens = 1 << 16

// earlyOpens is the focus batches' opens fed to the port history before
// the machine-wide first batch came. Started with a port filter on a big
// table, the focus's first batch comes first: its Existing opens are then
// the history's only report of the sockets the focus covers, for the
// machine-wide first batch leaves those out (uncovered) or, sampled before
// the focus began, reports them again, which the sockets kept here stop.
// Forgotten once that batch is in; from then on it alone feeds Existing
// opens.
//
// The machine-wide first sample's opens may come in parts, in the order of
// their IDs (sampler.CompareIDs); a focus batch between two parts feeds
// the history only the Existing opens of sockets past the last part's
// (upTo): those before it a part fed already.
type earlyOpens struct {
	wideIn bool // the machine-wide first batch has come (its last part)
	ids    map[sampler.ID]struct{}
	// parts: a part of the machine-wide first sample's opens has come;
	// upTo is the last socket it opened.
	parts bool
	upTo  sampler.ID
}

// forHistory is a focus batch's events as the port history takes them:
// its Existing opens only until the machine-wide first batch comes, and
// each socket's once.
func (o *earlyOpens) forHistory(events []sampler.Event) []sampler.Event {
	if o.wideIn {
		return notExisting(events)
	}
	kept := events[:0:0]
	for i := range events {
		e := &events[i]
		if e.Kind == sampler.Opened {
			if _, fed := o.ids[e.Socket.ID]; fed && e.Existing {
				continue // an earlier focus's batch fed it
			}
			if e.Existing && o.parts && sampler.CompareIDs(e.Socket.ID, o.upTo) <= 0 {
				continue // a part of the machine-wide first batch fed it
			}
			o.remember(e.Socket.ID)
		}
		kept = append(kept, *e)
	}
	return kept
}

func (o *earlyOpens) remember(id sampler.ID) {
	if o.ids == nil {
		o.ids = make(map[sampler.ID]struct{})
	}
	if len(o.ids) < maxEarlyOpens {
		o.ids[id] = struct{}{}
	}
}

// fed reports whether e is an Existing open of a socket whose open a focus
// batch fed the history already.
func (o *earlyOpens) fed(e *sampler.Event) bool {
	if !e.Existing || o.ids == nil {
		return false
	}
	_, ok := o.ids[e.Socket.ID]
	return ok
}

// wideCame records that the machine-wide first batch is in.
func (o *earlyOpens) wideCame() {
	o.wideIn, o.ids, o.parts = true, nil, false
}

// widePart records a part of the machine-wide first sample's opens: the
// sockets up to its last are fed.
func (o *earlyOpens) widePart(events []sampler.Event) {
	for i := len(events) - 1; i >= 0; i-- {
		if e := &events[i]; e.Existing && e.Kind == sampler.Opened {
			o.parts, o.upTo = true, e.Socket.ID
			return
		}
	}
}

// notExisting is events less the sockets already open at a first sample.
func notExisting(events []sampler.Event) []sampler.Event {
	if !slices.ContainsFunc(events, func(e sampler.Event) bool { return e.Existing }) {
		return events
	}
	return slices.DeleteFunc(slices.Clone(events), func(e sampler.Event) bool { return e.Existing })
}
