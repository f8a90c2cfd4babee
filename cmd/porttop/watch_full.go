package main

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/dests"
	"github.com/porttop/porttop/sampler/ports"
)

// fullDests finds, for `watch`'s stats lines, the destinations holding
// every port of the OS ephemeral range (dests.Full): the reason a
// connect() to them fails with EADDRNOTAVAIL. Its maps are scratch kept
// between lines.
type fullDests struct {
	listeners sampler.Listeners
	counts    map[dests.Dest]int
	seen      map[dests.Port]struct{}
}

// find names the destinations the range is full for among socks.
func (f *fullDests) find(socks []sampler.Socket, ephemeral ports.Range) []string {
	if !ephemeral.Known() {
		return nil
	}
	if f.counts == nil {
		f.counts, f.seen = map[dests.Dest]int{}, map[dests.Port]struct{}{}
	}
	clear(f.counts)
	f.listeners.Reset(socks)
	dests.Count(socks, &f.listeners, ephemeral, f.counts, f.seen)
	var names []string
	for _, d := range dests.Full(f.counts, dests.Blocked(socks, ephemeral), ephemeral) {
		names = append(names, d.String())
	}
	return names
}
