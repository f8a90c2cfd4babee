package filter

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler"
)

// placeTerms are the terms on where a socket lives (sampler.Place): its
// network namespace, cgroup and container, each kind ORed within itself.
type placeTerms struct {
	netns      []string // ns:NAME: an `ip netns` name (as typed) or an inode
	cgroups    []string // cgroup:TEXT, lower case: the path contains it
	containers []string // container:ID, lower case hex: the id starts with it
}

func (p placeTerms) count() int { return len(p.netns) + len(p.cgroups) + len(p.containers) }

// placePrefix reads an ns:, cgroup: or container: term (the prefix in any
// case, an ns name as typed: names are case-sensitive); ok is false for
// another term.
func (p *placeTerms) add(tok string) (ok bool, err error) {
	prefix, rest, found := strings.Cut(tok, ":")
	if !found {
		return false, nil
	}
	switch strings.ToLower(prefix) {
	case "ns", "netns":
		rest = strings.TrimSuffix(strings.TrimPrefix(rest, "net:["), "]")
		if rest == "" {
			return true, fmt.Errorf("ns: needs a namespace's name (ip netns list) or inode after the colon")
		}
		p.netns = append(p.netns, rest)
	case "cgroup":
		if rest == "" {
			return true, fmt.Errorf("cgroup: needs part of a cgroup path after the colon, as in cgroup:nginx.service")
		}
		p.cgroups = append(p.cgroups, strings.ToLower(rest))
	case "container":
		id := strings.ToLower(rest)
		if id == "" || strings.Trim(id, "0123456789abcdef") != "" {
			return true, fmt.Errorf("container:%s is not a container id (hex digits, 12 are enough)", rest)
		}
		p.containers = append(p.containers, id)
	default:
		return false, nil
	}
	return true, nil
}

func (p placeTerms) match(pl *sampler.Place) bool {
	names := pl.Names()
	if len(p.netns) > 0 && !anyMatch(p.netns, func(n string) bool {
		return (names.NetnsName != "" && n == names.NetnsName) || (pl.Netns != 0 && n == strconv.FormatUint(pl.Netns, 10))
	}) {
		return false
	}
	if len(p.cgroups) > 0 && !anyMatch(p.cgroups, func(c string) bool {
		return names.Cgroup != "" && strings.Contains(strings.ToLower(names.Cgroup), c)
	}) {
		return false
	}
	if len(p.containers) > 0 && !anyMatch(p.containers, func(id string) bool {
		return names.Container != "" && (strings.HasPrefix(names.Container, id) || strings.HasPrefix(id, names.Container))
	}) {
		return false
	}
	return true
}

func anyMatch(list []string, ok func(string) bool) bool {
	for _, x := range list {
		if ok(x) {
			return true
		}
	}
	return false
}

func (p placeTerms) strings() []string {
	var terms []string
	for _, n := range p.netns {
		terms = append(terms, "ns:"+n)
	}
	for _, c := range p.cgroups {
		terms = append(terms, "cgroup:"+c)
	}
	for _, c := range p.containers {
		terms = append(terms, "container:"+c)
	}
	return terms
}
