package main

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/netns"
)

// namespacesRead is how many network namespaces src read and porttop's
// own one's inode: (0, 0) for a source that reads porttop's alone.
func namespacesRead(src sampler.Source) (n int, own uint64) {
	all, ok := src.(interface{ Namespaces() []netns.Info })
	if !ok {
		return 0, 0
	}
	for _, i := range all.Namespaces() {
		if i.Err != "" {
			continue
		}
		n++
		if i.Self {
			own = i.Inode
		}
	}
	return n, own
}
