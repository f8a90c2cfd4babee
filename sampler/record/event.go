package record

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// eventLine is one event as written. Pointers and omitempty leave out what is
// unknown (pid 0, process "", uid -1, no state) or does not apply.
type eventLine struct {
	Time        string `json:"time"`
	Event       string `json:"event,omitempty"` // always set in a stream
	Proto       string `json:"proto"`
	Local       string `json:"local"`
	Remote      string `json:"remote,omitempty"`
	State       string `json:"state,omitempty"`
	PrevState   string `json:"prev_state,omitempty"`
	PID         int32  `json:"pid,omitempty"`
	Process     string `json:"process,omitempty"`
	UID         *int32 `json:"uid,omitempty"`
	Range       string `json:"range"`
	OSEphemeral bool   `json:"os_ephemeral"`
	HeldMS      *int64 `json:"held_ms,omitempty"`
	HeldAtLeast bool   `json:"held_at_least,omitempty"`
	Existing    bool   `json:"existing,omitempty"`
	SeenAtEnd   bool   `json:"seen_at_end,omitempty"`
	Happened    string `json:"happened,omitempty"`
	OwnerGone   bool   `json:"owner_gone,omitempty"`
	placeLine          // netns, netns_name, cgroup, container (event_place.go)
}

// MarshalEvent gives one event line, without its newline. ephemeral is the
// OS range that "os_ephemeral" is judged against.
// The line is eventLine as json.Marshal writes it (see appendEvent).
func MarshalEvent(e sampler.Event, ephemeral ports.Range) ([]byte, error) {
	b, err := appendEvent(nil, &e, ephemeral)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// MarshalSocket gives one socket as it stood at time at (as `porttop who
// --json` prints it): an event line's socket fields under the same names,
// without "event" and what only an event has.
func MarshalSocket(s *sampler.Socket, at time.Time, ephemeral ports.Range) ([]byte, error) {
	l, err := socketFields(s, at, ephemeral)
	if err != nil {
		return nil, err
	}
	return json.Marshal(l)
}

// socketFields fills the fields an event line and a socket line share.
func socketFields(s *sampler.Socket, at time.Time, ephemeral ports.Range) (eventLine, error) {
	port := s.Local.Port()
	l := eventLine{
		Time:        at.UTC().Format(time.RFC3339Nano),
		Proto:       s.Proto.String(),
		Local:       s.Local.String(),
		State:       s.State.String(),
		PID:         s.PID,
		Process:     s.Process,
		Range:       ports.ClassOf(port).String(),
		OSEphemeral: ephemeral.Size() > 0 && ephemeral.Contains(port),
		OwnerGone:   s.Owner.Departed(),
		placeLine:   placeLineOf(s.Place),
	}
	if s.Proto != sampler.TCP && s.Proto != sampler.UDP {
		return l, fmt.Errorf("protocol %d is not tcp or udp", s.Proto)
	}
	if !s.Local.IsValid() {
		return l, fmt.Errorf("event has no local address")
	}
	if s.Remote.IsValid() {
		l.Remote = s.Remote.String()
	}
	if s.UID >= 0 {
		uid := s.UID
		l.UID = &uid
	}
	return l, nil
}

// maxHeldMS keeps held_ms*1e6 inside a time.Duration (about 292 years).
const maxHeldMS = int64(1<<63-1) / int64(time.Millisecond)

// parseEvent reads an event line already known to hold "event".
func parseEvent(l *eventLine) (sampler.Event, error) {
	var e sampler.Event
	switch l.Event {
	case "open":
		e.Kind = sampler.Opened
	case "close":
		e.Kind = sampler.Closed
	case "state":
		e.Kind = sampler.StateChanged
	default:
		return e, fmt.Errorf("unknown event %q (want open, close or state)", l.Event)
	}
	t, err := time.Parse(time.RFC3339Nano, l.Time)
	if err != nil {
		return e, fmt.Errorf("time %q is not an RFC 3339 time", l.Time)
	}
	e.Time = t
	proto, ok := sampler.ParseProto(l.Proto)
	if !ok {
		return e, fmt.Errorf("proto %q is not tcp or udp", l.Proto)
	}
	s := &e.Socket
	s.Proto = proto
	if s.Local, err = netip.ParseAddrPort(l.Local); err != nil {
		return e, fmt.Errorf("local %q is not an address:port", l.Local)
	}
	if l.Remote != "" {
		if s.Remote, err = netip.ParseAddrPort(l.Remote); err != nil {
			return e, fmt.Errorf("remote %q is not an address:port", l.Remote)
		}
	}
	if s.State, ok = parseState(l.State); !ok {
		return e, fmt.Errorf("state %q is not a socket state", l.State)
	}
	if e.PrevState, ok = parseState(l.PrevState); !ok {
		return e, fmt.Errorf("prev_state %q is not a socket state", l.PrevState)
	}
	if l.PID < 0 {
		return e, fmt.Errorf("pid %d is negative", l.PID)
	}
	s.PID = l.PID
	s.Process = l.Process
	if s.Place, err = l.place(); err != nil {
		return e, err
	}
	// Before owner_gone was written, a TIME_WAIT socket's pid was already
	// its last owner's (no process holds a socket in TIME_WAIT): In says so.
	s.Owner.Gone = l.OwnerGone
	s.Owner = s.Owner.In(s.State)
	s.UID = -1
	if l.UID != nil {
		if *l.UID < 0 {
			return e, fmt.Errorf("uid %d is negative", *l.UID)
		}
		s.UID = *l.UID
	}
	if l.HeldMS != nil {
		if *l.HeldMS < 0 || *l.HeldMS > maxHeldMS {
			return e, fmt.Errorf("held_ms %d is out of range", *l.HeldMS)
		}
		e.Held = time.Duration(*l.HeldMS) * time.Millisecond
	}
	e.Existing = l.Existing
	e.SeenAtEnd = l.SeenAtEnd
	e.HeldAtLeast = l.HeldAtLeast && e.Kind == sampler.Closed
	if l.Happened != "" {
		h, err := time.Parse(time.RFC3339Nano, l.Happened)
		if err != nil {
			return e, fmt.Errorf("happened %q is not an RFC 3339 time", l.Happened)
		}
		if h.After(e.Time) {
			return e, fmt.Errorf("happened %s is after time %s (an event is only ever stamped later than it happened)", l.Happened, l.Time)
		}
		e.Happened = h
	}
	// Since is not written; what can be known of it is derived: an open is
	// first seen when it happened, a close was first seen held before it
	// happened.
	switch e.Kind {
	case sampler.Opened:
		s.Since = sampler.StampOf(e.When())
	case sampler.Closed:
		s.Since = sampler.StampOf(e.When().Add(-e.Held))
	}
	return e, nil
}

// stateByName holds the spellings Writer uses, so reading skips the general
// (and much slower) sampler.ParseState for every line.
var stateByName = func() map[string]sampler.State {
	m := map[string]sampler.State{}
	for s := sampler.StateNone; s.String() != "UNKNOWN"; s++ {
		m[s.String()] = s
	}
	return m
}()

func parseState(name string) (sampler.State, bool) {
	if s, ok := stateByName[name]; ok {
		return s, true
	}
	return sampler.ParseState(name)
}
