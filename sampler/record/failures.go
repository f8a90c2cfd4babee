package record

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A failed hand-out line: {"time":...,"connect_failed":{...}} (or
// "bind_failed"), one per process, destination and errno per interval.
type failureLine struct {
	Time    string       `json:"time"`
	Connect *failureBody `json:"connect_failed,omitempty"`
	Bind    *failureBody `json:"bind_failed,omitempty"`
}

type failureBody struct {
	Count   uint64 `json:"count"`
	Errno   string `json:"errno"`
	Process string `json:"process,omitempty"`
	PID     int32  `json:"pid,omitempty"`
	UID     *int64 `json:"uid,omitempty"`
	// Addr is the destination of a connect, the local address asked for
	// of a bind.
	Addr string `json:"address,omitempty"`
	// Netns and NetnsName are the callers' network namespace (inode) and
	// its `ip netns` name, when the source knows them.
	Netns     uint64 `json:"netns,omitempty"`
	NetnsName string `json:"netns_name,omitempty"`
	Other     bool   `json:"other,omitempty"`
}

// MarshalFailure gives one failed hand-out line for g, without its newline.
func MarshalFailure(g sampler.FailureCount) ([]byte, error) {
	if g.Count == 0 {
		return nil, fmt.Errorf("failure line with a count of 0")
	}
	body := &failureBody{Count: g.Count, Errno: sampler.ErrnoName(g.Errno), Other: g.Other}
	if !g.Other {
		body.Process, body.PID = g.Process, g.PID
		if g.PID > 0 {
			uid := int64(g.UID)
			body.UID = &uid
		}
		if g.Addr.IsValid() {
			body.Addr = addrString(g.Addr)
		}
		body.Netns, body.NetnsName = g.Netns, g.NetnsName
	}
	l := failureLine{Time: g.Last.UTC().Format(time.RFC3339Nano)}
	switch g.Op {
	case sampler.FailedConnect:
		l.Connect = body
	case sampler.FailedBind:
		l.Bind = body
	default:
		return nil, fmt.Errorf("failure line for unknown call %d", g.Op)
	}
	return json.Marshal(l)
}

// addrString writes an address as event lines do (IPv4-mapped as IPv4).
func addrString(a netip.AddrPort) string {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()).String()
}

// parseFailure reads the body of a connect_failed or bind_failed line.
func parseFailure(at string, op sampler.FailedOp, b *failureBody) (sampler.FailureCount, error) {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return sampler.FailureCount{}, fmt.Errorf("time %q is not an RFC 3339 time", at)
	}
	errno, ok := sampler.ErrnoNumber(b.Errno)
	if !ok {
		return sampler.FailureCount{}, fmt.Errorf("errno %q is not one porttop writes", b.Errno)
	}
	g := sampler.FailureCount{Last: t, Op: op, Errno: errno, Count: b.Count, Process: b.Process, PID: b.PID, Other: b.Other,
		Netns: b.Netns, NetnsName: b.NetnsName}
	if b.UID != nil {
		g.UID = uint32(*b.UID)
	}
	if b.Addr != "" {
		if g.Addr, err = netip.ParseAddrPort(b.Addr); err != nil {
			return sampler.FailureCount{}, fmt.Errorf("address %q is not an address and port", b.Addr)
		}
	}
	return g, nil
}

// WriteFailures writes one line per group (a batch's Failures).
func (w *Writer) WriteFailures(groups []sampler.FailureCount) error {
	if len(groups) == 0 {
		return w.Err()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, g := range groups {
		b, err := MarshalFailure(g)
		if err != nil {
			continue // the sampler's bug: keep the stream readable
		}
		if err := w.writeLine(b); err != nil {
			return err
		}
	}
	return w.flushLocked()
}

// Failures are the failed hand-outs read so far, summed per process,
// destination and errno (bounded: see sampler.MaxFailureGroups).
func (r *Reader) Failures() sampler.FailureTotals { return r.failures }
