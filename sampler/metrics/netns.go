package metrics

import (
	"cmp"
	"slices"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// MaxNetns bounds the namespaces with series of their own: the fullest of
// their own ranges first. A container host can run hundreds; the
// fullest are the ones about to run out.
const MaxNetns = 20

// Netns is one network namespace other than porttop's own, with its own
// ephemeral range and the distinct ports of it its sockets hold.
type Netns struct {
	Inode     uint64
	Name      string // its `ip netns` name, "" when it has none
	Range     ports.Range
	PortsUsed int
}

// share is the share of its range in use.
func (n Netns) share() float64 {
	if !n.Range.Known() || n.Range.Size() == 0 {
		return 0
	}
	return float64(n.PortsUsed) / float64(n.Range.Size())
}

// countNetns counts, for every other namespace the latest batch listed,
// the distinct local ports of its own range its sockets hold (listeners
// and accepted connections aside, as for porttop's own), fullest first.
// keys is scratch: (namespace index << 16 | port), sorted to count
// distinct pairs without a bitmap per namespace.
func (s *State) countNetns(sockets []sampler.Socket) {
	s.netns = s.netns[:0]
	if len(s.others) == 0 {
		return
	}
	for _, r := range s.others {
		s.netns = append(s.netns, Netns{Inode: r.Netns, Name: r.NetnsName, Range: r.Range})
	}
	s.netnsKeys = s.netnsKeys[:0]
	for i := range sockets {
		sk := &sockets[i]
		j, ok := s.otherIndex[sk.Netns]
		if !ok || sk.Netns == 0 || (s.match != nil && !s.match(sk)) || sk.State == sampler.StateListen {
			continue
		}
		port := sk.Local.Port()
		if !s.netns[j].Range.Contains(port) {
			continue
		}
		if sk.Proto == sampler.TCP && s.listeners.Accepts(sk.Local) {
			continue
		}
		s.netnsKeys = append(s.netnsKeys, uint64(j)<<16|uint64(port))
	}
	slices.Sort(s.netnsKeys)
	for i, k := range s.netnsKeys {
		if i > 0 && s.netnsKeys[i-1] == k {
			continue
		}
		s.netns[k>>16].PortsUsed++
	}
	slices.SortFunc(s.netns, func(a, b Netns) int {
		if c := cmp.Compare(b.share(), a.share()); c != 0 {
			return c
		}
		return cmp.Compare(a.Inode, b.Inode)
	})
}

// setOthers takes in the other namespaces a batch lists, by inode.
func (s *State) setOthers(ranges []sampler.NetnsRange) {
	if slices.Equal(ranges, s.others) {
		return
	}
	s.others = append(s.others[:0], ranges...)
	clear(s.otherIndex)
	if s.otherIndex == nil {
		s.otherIndex = map[uint64]int{}
	}
	for i, r := range s.others {
		if r.Netns != 0 && r.Range.Known() {
			s.otherIndex[r.Netns] = i
		}
	}
	s.stale = true
}

// isOther reports whether a socket of namespace ino is another namespace's
// (one the batch listed with its own range).
func (s *State) isOther(ino uint64) bool {
	_, ok := s.otherIndex[ino]
	return ok && ino != 0
}

// rangeOf is the range a socket of namespace ino is judged against.
func (s *State) rangeOf(ino uint64) ports.Range {
	if j, ok := s.otherIndex[ino]; ok && ino != 0 {
		return s.others[j].Range
	}
	return s.ephemeral
}

// Namespaces is the other namespaces read, fullest of its own range
// first (all of them; the collector sends the first MaxNetns).
func (s *State) Namespaces() []Netns { s.refresh(); return s.netns }

// labelText is a namespace name as a label value: valid UTF-8 (a name is
// anyone's bytes; Prometheus takes UTF-8 only).
func labelText(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
