package filter

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// accepted is appended to every error so the user learns the syntax.
const accepted = "terms are a port (22), a range (49152-65535) or list (22,443), " +
	"well-known, registered, dynamic, ephemeral, tcp, udp, a state (listen, established, time-wait), " +
	"pid:N, uid:N, an address (127.0.0.1, 10.0.0.0/8, [::1]:22), a process name (proc:NAME), " +
	"ns:NAME, cgroup:TEXT, container:ID, " +
	"and !TERM for not"

// Parse reads a filter line. ephemeral is the OS range the word
// "ephemeral" stands for. An empty line gives the zero Filter.
func Parse(text string, ephemeral ports.Range) (Filter, error) {
	var f Filter
	for _, tok := range strings.Fields(text) {
		if err := f.addTerm(tok, ephemeral); err != nil {
			return Filter{}, fmt.Errorf("filter term %q: %w; %s", tok, err, accepted)
		}
	}
	return f, nil
}

func (f *Filter) addTerm(tok string, ephemeral ports.Range) error {
	rest, negated := strings.CutPrefix(tok, "!")
	if !negated {
		return f.add(tok, ephemeral)
	}
	if rest == "" || strings.HasPrefix(rest, "!") {
		return fmt.Errorf("! must be followed by one term, as in !time-wait")
	}
	var n Filter
	if err := n.add(rest, ephemeral); err != nil {
		return err
	}
	f.not = append(f.not, n)
	return nil
}

var classNames = map[string]ports.Class{
	"well-known": ports.WellKnown, "wellknown": ports.WellKnown, "well_known": ports.WellKnown,
	"registered": ports.Registered,
	"dynamic":    ports.Dynamic,
}

// add reads one term (not negated) into f.
func (f *Filter) add(tok string, ephemeral ports.Range) error {
	if a, ok := parseAddrTerm(tok); ok {
		f.addrs = append(f.addrs, a)
		return nil
	}
	if looksLikeAddress(tok) {
		return addrProblem(tok)
	}
	if ok, err := f.place.add(tok); ok {
		return err
	}
	lower := strings.ToLower(tok)
	if prefix, rest, ok := strings.Cut(lower, ":"); ok {
		return f.addPrefixed(prefix, rest)
	}
	if isPortSpec(lower) {
		return f.addPorts(lower)
	}
	if p, ok := sampler.ParseProto(lower); ok {
		f.protos = append(f.protos, p)
		return nil
	}
	if c, ok := classNames[lower]; ok {
		f.ports = append(f.ports, portTerm{name: c.String(), ranges: []ports.Range{c.Bounds()}, localOnly: true})
		return nil
	}
	if lower == "ephemeral" {
		f.ports = append(f.ports, portTerm{name: "ephemeral", ranges: []ports.Range{ephemeral}, localOnly: true})
		return nil
	}
	if s, ok := sampler.ParseState(lower); ok {
		f.states = append(f.states, s)
		return nil
	}
	f.names = append(f.names, lower)
	return nil
}

func (f *Filter) addPrefixed(prefix, rest string) error {
	switch prefix {
	case "pid", "uid":
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || id < 0 || id > math.MaxInt32 {
			return fmt.Errorf("%s:%s is not a %s (a whole number)", prefix, rest, map[string]string{
				"pid": "process id", "uid": "user id"}[prefix])
		}
		if prefix == "pid" {
			f.pids = append(f.pids, int32(id))
		} else {
			f.uids = append(f.uids, int32(id))
		}
		return nil
	case "proc", "process":
		if rest == "" {
			return fmt.Errorf("proc: needs a name after the colon")
		}
		f.names = append(f.names, rest)
		return nil
	case "proto":
		p, ok := sampler.ParseProto(rest)
		if !ok {
			return fmt.Errorf("proto:%s is not tcp or udp", rest)
		}
		f.protos = append(f.protos, p)
		return nil
	case "state":
		s, ok := sampler.ParseState(rest)
		if !ok || rest == "" {
			return fmt.Errorf("state:%s is not a socket state (listen, established, time-wait, ...)", rest)
		}
		f.states = append(f.states, s)
		return nil
	case "port", "":
		return f.addPorts(rest)
	}
	return fmt.Errorf("unknown prefix %q (use pid:, uid:, proc:, proto:, state:, port:, ns:, cgroup: or container:)", prefix+":")
}

// isPortSpec: only digits, dashes, commas and plus signs, so a port, range or list
// (or a mistyped one, which should get a port error, not a name search).
func isPortSpec(s string) bool {
	return strings.Trim(s, "0123456789-,+") == ""
}

func (f *Filter) addPorts(spec string) error {
	if spec == "" {
		return fmt.Errorf("no port given")
	}
	var t portTerm
	for _, item := range strings.Split(spec, ",") {
		if item == "" {
			return fmt.Errorf("empty item in the list %q", spec)
		}
		r, err := ports.ParseRange(item)
		if err != nil {
			return err
		}
		t.ranges = append(t.ranges, r)
	}
	f.ports = append(f.ports, t)
	return nil
}
