package sockettable

import (
	"strconv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
	"github.com/porttop/porttop/ui/safe"
)

// places is what the NS/WORKLOAD column needs to know of a snapshot: whether
// to show at all (some socket is outside porttop's network namespace or in
// a container), and which namespace is porttop's own (not labelled).
type places struct {
	show bool
	own  uint64
}

// placesOf looks at a snapshot. own is porttop's namespace's inode when the
// caller knows it (Options.OwnNetns); else the namespace holding the most
// sockets is taken for it.
func placesOf(socks []sampler.Socket, own uint64) places {
	var counts map[uint64]int
	p := places{own: own}
	for i := range socks {
		pl := &socks[i].Place
		if pl.Container() != "" {
			p.show = true
		}
		if pl.Netns == 0 {
			continue
		}
		if own != 0 {
			if pl.Netns != own {
				p.show = true
			}
			continue
		}
		if counts == nil {
			counts = map[uint64]int{}
		}
		counts[pl.Netns]++
	}
	if own == 0 && len(counts) > 0 {
		best := 0
		for ino, n := range counts {
			if n > best || (n == best && ino < p.own) {
				p.own, best = ino, n
			}
		}
		if len(counts) > 1 {
			p.show = true
		}
	}
	return p
}

// placeLabel is a socket's NS/WORKLOAD cell: its namespace (the `ip netns`
// name, else the inode; nothing for porttop's own) and the workload its
// cgroup names (a container, a pod, a systemd unit), joined by "/".
// Names are escaped: a namespace name is anyone's to choose.
func placeLabel(pl *sampler.Place, own uint64) string {
	names := pl.Names()
	ns := names.NetnsName
	if ns == "" && pl.Netns != 0 && pl.Netns != own {
		ns = strconv.FormatUint(pl.Netns, 10)
	}
	work := ""
	if names.Cgroup != "" {
		work = cgroup.Parse(names.Cgroup).String()
	} else if names.Container != "" {
		work = names.Container
	}
	switch {
	case ns == "":
		return safe.Text(work)
	case work == "":
		return safe.Text(ns)
	}
	return safe.Text(ns + "/" + work)
}
