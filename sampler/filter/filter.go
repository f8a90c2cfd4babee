package filter

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// Filter is a parsed filter. The zero value matches everything.
type Filter struct {
	ports  []portTerm // ANDed
	addrs  []addrTerm // ANDed
	protos []sampler.Proto
	states []sampler.State
	pids   []int32
	uids   []int32
	names  []string // lower case
	place  placeTerms
	not    []Filter // each holds one term; a socket matching any is out
}

// portTerm is satisfied when any of its ranges holds the port.
type portTerm struct {
	name      string // "ephemeral" etc. for a named range, "" for numbers
	ranges    []ports.Range
	localOnly bool
}

// addrTerm is an address (bits = its length), a network, or an address
// and port (port >= 0), matched on either side.
type addrTerm struct {
	addr    netip.Addr // unmapped, no zone; masked for a network
	bits    int
	network bool  // written as a network (10.0.0.0/8)
	port    int32 // -1: any
}

// IsZero reports whether the filter has no terms (matches everything).
func (f Filter) IsZero() bool {
	return len(f.ports)+len(f.addrs)+len(f.protos)+len(f.states)+len(f.pids)+
		len(f.uids)+len(f.names)+f.place.count()+len(f.not) == 0
}

// String is the filter in canonical form; Parse reads it back to an equal
// filter (given the same ephemeral range).
func (f Filter) String() string {
	var terms []string
	for _, t := range f.ports {
		terms = append(terms, t.String())
	}
	for _, a := range f.addrs {
		terms = append(terms, a.String())
	}
	for _, p := range f.protos {
		terms = append(terms, p.String())
	}
	for _, s := range f.states {
		terms = append(terms, stateWord(s))
	}
	for _, p := range f.pids {
		terms = append(terms, "pid:"+strconv.Itoa(int(p)))
	}
	for _, u := range f.uids {
		terms = append(terms, "uid:"+strconv.Itoa(int(u)))
	}
	for _, n := range f.names {
		terms = append(terms, "proc:"+n)
	}
	terms = append(terms, f.place.strings()...)
	for _, n := range f.not {
		terms = append(terms, "!"+n.String())
	}
	return strings.Join(terms, " ")
}

func (t portTerm) String() string {
	if t.name != "" {
		return t.name
	}
	s := make([]string, len(t.ranges))
	for i, r := range t.ranges {
		s[i] = r.String()
	}
	return strings.Join(s, ",")
}

func (a addrTerm) String() string {
	switch {
	case a.network:
		return netip.PrefixFrom(a.addr, a.bits).String()
	case a.port >= 0:
		return netip.AddrPortFrom(a.addr, uint16(a.port)).String()
	}
	return a.addr.String()
}

// stateWord writes a state as a user types it: "time-wait"; "none" for UDP's
// no-state.
func stateWord(s sampler.State) string {
	if s == sampler.StateNone {
		return "none"
	}
	return strings.ToLower(strings.ReplaceAll(s.String(), "_", "-"))
}

// SinglePort reports the port when the filter is exactly one single-port
// term (60716, port:60716, :60716), the case where porttop explains a port.
func (f Filter) SinglePort() (uint16, bool) {
	if len(f.ports) != 1 || len(f.addrs)+len(f.protos)+len(f.states)+len(f.pids)+
		len(f.uids)+len(f.names)+f.place.count()+len(f.not) != 0 {
		return 0, false
	}
	t := f.ports[0]
	if t.name != "" || t.localOnly || len(t.ranges) != 1 || t.ranges[0].Lo != t.ranges[0].Hi {
		return 0, false
	}
	return t.ranges[0].Lo, true
}
