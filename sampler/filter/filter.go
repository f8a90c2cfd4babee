// Package filter reads what a user types into porttop's `/` filter or
// passes to --port, and matches sockets and events against it.
//
// Syntax: terms separated by spaces, keywords in any case.
//
//	60716, port:60716, :60716   a port, local OR remote side
//	49152-65535                 a range of ports, local OR remote side
//	22,80,443  1-1023,8080      a comma list: any of these ports or ranges
//	well-known registered       an IANA class, LOCAL port only
//	dynamic ephemeral           IANA dynamic range; the OS ephemeral range
//	                            (the one given to Parse), LOCAL port only
//	tcp udp                     protocol
//	listen established          socket state: any state name, with - or _
//	time-wait time_wait ...     or neither (timewait), any case
//	pid:1234                    process id (pid:0: owner unknown)
//	proc:nginx, or just nginx   process name contains this, any case
//
// Choices where a typed line is ambiguous:
//   - Protocols, states, pids and process names are ORed within their kind
//     ("tcp udp", "listen established", "nginx curl"): a socket has only
//     one of each, so ANDing them could never match. Everything else is
//     ANDed, kinds with each other and port terms with each other, so
//     "ephemeral 443" is outgoing connections to port 443 and
//     "60716 443" is the connection between those two ports. Write
//     "22,443" for either port.
//   - A bare number or range matches the local or the remote port, because
//     a user chasing port 443 wants both the server and its clients. Class
//     and range names match only the local port: the question there is
//     which ports this machine handed out.
//   - The remote side counts only when there is a remote end: a listening
//     or unconnected socket's remote port 0 does not match "0" or "0-1023".
//   - A word that is a keyword (tcp, listen, close, ...) is the keyword; to
//     look for a process of that name write proc:close.
//   - An event matches when its socket matches, or, for a state change,
//     when the socket in its previous state matches, so filtering on
//     "established" also shows connections leaving that state.
package filter

import (
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// Filter is a parsed filter. The zero value matches everything.
type Filter struct {
	ports  []portTerm // ANDed
	protos []sampler.Proto
	states []sampler.State
	pids   []int32
	names  []string // lower case
}

// portTerm is satisfied when any of its ranges holds the port.
type portTerm struct {
	name      string // "ephemeral" etc. for a named range, "" for numbers
	ranges    []ports.Range
	localOnly bool
}

// IsZero reports whether the filter has no terms (matches everything).
func (f Filter) IsZero() bool {
	return len(f.ports) == 0 && len(f.protos) == 0 && len(f.states) == 0 &&
		len(f.pids) == 0 && len(f.names) == 0
}

// String is the filter in canonical form; Parse reads it back to an equal
// filter (given the same ephemeral range).
func (f Filter) String() string {
	var terms []string
	for _, t := range f.ports {
		terms = append(terms, t.String())
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
	for _, n := range f.names {
		terms = append(terms, "proc:"+n)
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
	if len(f.ports) != 1 || len(f.protos)+len(f.states)+len(f.pids)+len(f.names) != 0 {
		return 0, false
	}
	t := f.ports[0]
	if t.name != "" || t.localOnly || len(t.ranges) != 1 || t.ranges[0].Lo != t.ranges[0].Hi {
		return 0, false
	}
	return t.ranges[0].Lo, true
}
