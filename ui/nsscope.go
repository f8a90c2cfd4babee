package ui

import (
	"strconv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/safe"
)

// selOwn selects porttop's own network namespace, whose inode may be
// unknown (Config.OwnNetns 0); 0 selects every namespace.
const selOwn = ^uint64(0)

// nsScope is which network namespace the churn panel and the port map
// show: all of them (the default), porttop's own, or one of the others
// the source reads (a batch's NetnsRanges). Each namespace has its own
// ephemeral range and runs out on its own, so a chosen namespace is
// counted against its own range. It is synchronous and holds no clock:
// next, follow and pick are its steps.
type nsScope struct {
	sel uint64 // 0: all; selOwn: porttop's; else the chosen namespace's inode
	own uint64 // porttop's namespace's inode, 0 when unknown
	// others are the other namespaces as of the newest batch, sorted by
	// inode as the source gives them.
	others []sampler.NetnsRange
	// Scratch for pick, as large as the largest snapshot picked from.
	socks     []sampler.Socket
	events    []sampler.Event
	listeners sampler.Listeners
}

// many reports whether there is more than one namespace to choose from.
func (s *nsScope) many() bool { return len(s.others) > 0 }

// next is the choice after the current one: all, porttop's own, then the
// others by inode, then all again. With no other namespace it stays on all.
func (s *nsScope) next() {
	switch {
	case !s.many():
		s.sel = 0
	case s.sel == 0:
		s.sel = selOwn
	case s.sel == selOwn:
		s.sel = s.others[0].Netns
	default:
		if i := s.find(s.sel); i >= 0 && i+1 < len(s.others) {
			s.sel = s.others[i+1].Netns
		} else {
			s.sel = 0
		}
	}
}

// follow takes in the namespaces a batch lists. A chosen namespace that
// is no longer listed (deleted, or no longer readable) gives way to all;
// gone is its label then, for the status line.
func (s *nsScope) follow(others []sampler.NetnsRange) (gone string) {
	before := s.label()
	s.others = append(s.others[:0], others...)
	if s.sel != 0 && s.sel != selOwn && s.find(s.sel) < 0 {
		s.sel = 0
		return before
	}
	if s.sel == selOwn && !s.many() {
		s.sel = 0 // one namespace left: "all" is it
	}
	return ""
}

// find is the index of namespace ino among others, -1 when not listed.
func (s *nsScope) find(ino uint64) int {
	for i := range s.others {
		if s.others[i].Netns == ino {
			return i
		}
	}
	return -1
}

// rangeOf is the ephemeral range the chosen namespace's panels count
// against: its own; porttop's (own) for porttop's namespace and for all.
func (s *nsScope) rangeOf(own ports.Range) ports.Range {
	if i := s.find(s.sel); s.sel != 0 && s.sel != selOwn && i >= 0 {
		return s.others[i].Range
	}
	return own
}

// label says what the panels show: "" while porttop reads one namespace
// only (nothing to tell apart), "all netns", "porttop's netns
// net:[4026531840]", or the chosen one's `ip netns` name ("netns blue"),
// else its inode ("netns net:[4026532238]"). The name is raw: the panels
// escape it.
func (s *nsScope) label() string {
	switch {
	case !s.many() && s.sel == 0:
		return ""
	case s.sel == 0:
		return "all netns"
	case s.sel == selOwn:
		if s.own != 0 {
			return "porttop's netns " + inodeLabel(s.own)
		}
		return "porttop's netns"
	}
	if i := s.find(s.sel); i >= 0 && s.others[i].NetnsName != "" {
		return "netns " + s.others[i].NetnsName
	}
	return "netns " + inodeLabel(s.sel)
}

func inodeLabel(ino uint64) string { return "net:[" + strconv.FormatUint(ino, 10) + "]" }

// holds reports whether a socket of namespace netns is in the chosen
// namespace. porttop's own holds the sockets of no other listed namespace
// (a source reading one namespace leaves Netns 0).
func (s *nsScope) holds(netns uint64) bool {
	switch s.sel {
	case 0:
		return true
	case selOwn:
		return netns == 0 || netns == s.own || s.find(netns) < 0
	}
	return netns == s.sel
}

// pick is the part of a snapshot and its events in the chosen namespace,
// with that part's listeners found; all of them when all are chosen. The
// slices are the scope's scratch, valid until the next pick.
func (s *nsScope) pick(snap sampler.Snapshot, events []sampler.Event, all *sampler.Listeners) (sampler.Snapshot, []sampler.Event, *sampler.Listeners) {
	if s.sel == 0 {
		return snap, events, all
	}
	s.socks = s.socks[:0]
	for i := range snap.Sockets {
		if s.holds(snap.Sockets[i].Netns) {
			s.socks = append(s.socks, snap.Sockets[i])
		}
	}
	s.events = s.events[:0]
	for i := range events {
		if s.holds(events[i].Socket.Netns) {
			s.events = append(s.events, events[i])
		}
	}
	snap.Sockets = s.socks
	s.listeners.Reset(s.socks)
	return snap, s.events, &s.listeners
}

// nextNetns shows the next network namespace in the churn panel and the
// map (N), and says which on the status line.
func (m *Model) nextNetns() {
	if !m.views.scope.many() {
		m.status.info("porttop reads one network namespace here: the panels show it (as root, porttop reads every namespace)")
		return
	}
	m.views.nextScope()
	m.status.info("churn panel and map: " + safe.Text(m.views.scope.label()) + " (N: next)")
}
