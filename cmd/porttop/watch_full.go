package main

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/dests"
	"github.com/porttop/porttop/sampler/ports"
)

// fullDests finds, for `watch`'s stats lines, the destinations holding
// every port of their network namespace's ephemeral range (dests.Full):
// the reason a connect() to them fails with EADDRNOTAVAIL. Its maps are
// scratch kept between lines.
type fullDests struct {
	listeners sampler.Listeners
	counts    map[dests.Dest]int
	seen      map[dests.Port]struct{}
}

// find names the destinations a range is full for among socks: each
// socket judged against its own namespace's range, ephemeral (porttop's)
// or one of others (the batch's NetnsRanges). Another namespace's
// destination is named with it ("tcp 10.0.0.9:5432 in netns blue").
func (f *fullDests) find(socks []sampler.Socket, ephemeral ports.Range, others []sampler.NetnsRange) []string {
	r := dests.RangesOf(ephemeral, others)
	if !ephemeral.Known() && len(r.Others) == 0 {
		return nil
	}
	if f.counts == nil {
		f.counts, f.seen = map[dests.Dest]int{}, map[dests.Port]struct{}{}
	}
	clear(f.counts)
	f.listeners.Reset(socks)
	dests.Count(socks, &f.listeners, r, f.counts, f.seen)
	var names []string
	for _, d := range dests.Full(f.counts, dests.Blocked(socks, r), r) {
		names = append(names, r.Label(d))
	}
	return names
}
