package record

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// appendEvent appends e's event line, without its newline, to dst: byte
// for byte what json.Marshal of its eventLine gives (field order,
// omissions, escapes; TestAppendEventIsMarshal checks a wide range of
// events), without reflection or a string per field. A watch under churn
// writes some 10,000 lines a second; json.Marshal was most of its output's
// cost.
func appendEvent(dst []byte, e *sampler.Event, ephemeral ports.Range) ([]byte, error) {
	if e.Kind != sampler.Opened && e.Kind != sampler.Closed && e.Kind != sampler.StateChanged {
		return dst, fmt.Errorf("event kind %d is not open, close or state", e.Kind)
	}
	s := &e.Socket
	if s.Proto != sampler.TCP && s.Proto != sampler.UDP {
		return dst, fmt.Errorf("protocol %d is not tcp or udp", s.Proto)
	}
	if !s.Local.IsValid() {
		return dst, fmt.Errorf("event has no local address")
	}
	dst = append(dst, `{"time":"`...)
	dst = e.Time.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","event":"`...)
	dst = append(dst, e.Kind.String()...)
	dst = append(dst, `","proto":"`...)
	dst = append(dst, s.Proto.String()...)
	dst = append(dst, `","local":`...)
	dst = appendAddrPort(dst, s.Local)
	if s.Remote.IsValid() {
		dst = append(dst, `,"remote":`...)
		dst = appendAddrPort(dst, s.Remote)
	}
	if st := s.State.String(); st != "" {
		dst = append(dst, `,"state":`...)
		dst = appendJSONString(dst, st)
	}
	if e.Kind == sampler.StateChanged {
		if st := e.PrevState.String(); st != "" {
			dst = append(dst, `,"prev_state":`...)
			dst = appendJSONString(dst, st)
		}
	}
	if s.PID != 0 {
		dst = append(dst, `,"pid":`...)
		dst = strconv.AppendInt(dst, int64(s.PID), 10)
	}
	if s.Process != "" {
		dst = append(dst, `,"process":`...)
		dst = appendJSONString(dst, s.Process)
	}
	if s.UID >= 0 {
		dst = append(dst, `,"uid":`...)
		dst = strconv.AppendInt(dst, int64(s.UID), 10)
	}
	port := s.Local.Port()
	dst = append(dst, `,"range":"`...)
	dst = append(dst, ports.ClassOf(port).String()...)
	dst = append(dst, `","os_ephemeral":`...)
	dst = strconv.AppendBool(dst, ephemeral.Size() > 0 && ephemeral.Contains(port))
	if e.Kind == sampler.Closed {
		dst = append(dst, `,"held_ms":`...)
		dst = strconv.AppendInt(dst, e.Held.Milliseconds(), 10)
		if e.HeldAtLeast {
			dst = append(dst, `,"held_at_least":true`...)
		}
	}
	if e.Existing {
		dst = append(dst, `,"existing":true`...)
	}
	if e.SeenAtEnd {
		dst = append(dst, `,"seen_at_end":true`...)
	}
	if !e.Happened.IsZero() && !e.Happened.Equal(e.Time) {
		dst = append(dst, `,"happened":"`...)
		dst = e.Happened.UTC().AppendFormat(dst, time.RFC3339Nano)
		dst = append(dst, '"')
	}
	if s.Owner.Departed() {
		dst = append(dst, `,"owner_gone":true`...)
	}
	return append(appendPlace(dst, &s.Place), '}'), nil
}

// appendPlace appends placeLine's fields, as json.Marshal embeds them.
func appendPlace(dst []byte, p *sampler.Place) []byte {
	if p.Netns != 0 {
		dst = append(dst, `,"netns":`...)
		dst = strconv.AppendUint(dst, p.Netns, 10)
	}
	names := p.Names()
	for _, f := range [...]struct{ name, v string }{
		{`,"netns_name":`, names.NetnsName}, {`,"cgroup":`, names.Cgroup}, {`,"container":`, names.Container},
	} {
		if f.v != "" {
			dst = append(dst, f.name...)
			dst = appendJSONString(dst, f.v)
		}
	}
	return dst
}

// appendAddrPort appends a valid address:port as a JSON string.
func appendAddrPort(dst []byte, a netip.AddrPort) []byte {
	start := len(dst)
	dst = append(dst, '"')
	dst = a.AppendTo(dst)
	if !plainJSON(dst[start+1:]) { // an IPv6 zone can hold anything
		return appendJSONString(dst[:start], string(dst[start+1:]))
	}
	return append(dst, '"')
}

// appendJSONString appends s quoted as json.Marshal quotes it: as it is
// when it needs no escape (the common case), else by json.Marshal itself.
func appendJSONString(dst []byte, s string) []byte {
	if plainJSON(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}

// plainJSON reports whether json.Marshal writes s as it is between
// quotes: printable ASCII, none of the characters it escapes (the quote,
// the backslash, and <, > and & for HTML).
func plainJSON[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
