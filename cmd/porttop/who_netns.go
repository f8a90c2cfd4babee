package main

import (
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/cgroup"
	"github.com/porttop/porttop/sampler/netns"
	"github.com/porttop/porttop/ui/safe"
)

// whoSource is what `who` samples: with the source left to porttop, every
// network namespace it may enter (its own alone without root), so a port
// held inside a container or an `ip netns` namespace is found; else the
// source asked for, in porttop's namespace only.
type whoSource struct {
	src sampler.Source
	all *netns.Source // nil: one namespace
}

func openWhoSource(name string) (whoSource, error) {
	if name == "" || strings.EqualFold(name, "auto") {
		if all, err := netns.New(); err == nil {
			return whoSource{src: all, all: all}, nil
		}
	}
	m, err := openMachine(name, false)
	if err != nil {
		return whoSource{}, err
	}
	return whoSource{src: m.src}, nil
}

// close releases the namespaces' readers.
func (w whoSource) close() {
	if w.all != nil {
		w.all.Close()
	}
}

// selfNetns is porttop's own namespace's inode, 0 when unknown.
func (w whoSource) selfNetns() uint64 {
	if w.all == nil {
		return 0
	}
	for _, i := range w.all.Namespaces() {
		if i.Self {
			return i.Inode
		}
	}
	return 0
}

// notRead says which namespaces were not searched, "" when all were.
func (w whoSource) notRead() string {
	if w.all == nil {
		return ""
	}
	return w.all.Note()
}

// placeColumn is the extra column of `who` when a holder is in another
// namespace: the namespace's name (or net:[inode]) and the workload its
// cgroup names; "-" for a holder in porttop's own namespace.
func placeColumn(sk sampler.Socket, self uint64) string {
	if sk.Netns == 0 || sk.Netns == self {
		if w := cgroup.Parse(sk.Cgroup()); w.Container != "" {
			return "-/" + safe.Text(w.String())
		}
		return "-"
	}
	label := sk.NetnsName()
	if label == "" {
		label = "net:[" + strconv.FormatUint(sk.Netns, 10) + "]"
	}
	s := "netns=" + safe.Text(label)
	if w := cgroup.Parse(sk.Cgroup()); w.String() != "" && (w.Container != "" || w.Pod != "") {
		s += "/" + safe.Text(w.String())
	}
	return s
}
