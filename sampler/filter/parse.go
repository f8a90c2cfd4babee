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
	"pid:N, or a process name (proc:NAME)"

// Parse reads a filter line. ephemeral is the OS range the word
// "ephemeral" stands for. An empty line gives the zero Filter.
func Parse(text string, ephemeral ports.Range) (Filter, error) {
	var f Filter
	for _, tok := range strings.Fields(text) {
		if err := f.add(tok, ephemeral); err != nil {
			return Filter{}, fmt.Errorf("filter term %q: %w; %s", tok, err, accepted)
		}
	}
	return f, nil
}

var classNames = map[string]ports.Class{
	"well-known": ports.WellKnown, "wellknown": ports.WellKnown, "well_known": ports.WellKnown,
	"registered": ports.Registered,
	"dynamic":    ports.Dynamic,
}

func (f *Filter) add(tok string, ephemeral ports.Range) error {
	lower := strings.ToLower(tok)
	if prefix, rest, ok := strings.Cut(lower, ":"); ok {
		switch prefix {
		case "pid":
			pid, err := strconv.ParseInt(rest, 10, 64)
			if err != nil || pid < 0 || pid > math.MaxInt32 {
				return fmt.Errorf("pid:%s is not a process id (a whole number, 0 for owner unknown)", rest)
			}
			f.pids = append(f.pids, int32(pid))
			return nil
		case "proc", "process":
			if rest == "" {
				return fmt.Errorf("proc: needs a name after the colon")
			}
			f.names = append(f.names, rest)
			return nil
		case "port", "":
			return f.addPorts(rest)
		}
		return fmt.Errorf("unknown prefix %q (use pid:, proc: or port:)", prefix+":")
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

// isPortSpec: only digits, dashes and commas, so a port, range or list
// (or a mistyped one, which should get a port error, not a name search).
func isPortSpec(s string) bool {
	return strings.Trim(s, "0123456789-,") == ""
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
