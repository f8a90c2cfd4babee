package main

import (
	"slices"

	"github.com/porttop/porttop/sampler"
)

// sortSockets orders sockets as the view does: by local port, then the rest.
func sortSockets(s []sampler.Socket) {
	slices.SortFunc(s, func(a, b sampler.Socket) int { return sampler.CompareIDs(a.ID, b.ID) })
}
