package record

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// RangeChange is a range-change line: the OS ephemeral range changed while
// the stream was written (sysctl -w net.ipv4.ip_local_port_range), and the
// "os_ephemeral" of events from Time on is judged against Range. With a
// Netns, it is that network namespace's range (each has its own), read
// for the first time or changed, and judges the events of its sockets
// written after it.
type RangeChange struct {
	Time      time.Time
	Range     ports.Range
	Netns     uint64 // 0: porttop's own namespace (the header's range)
	NetnsName string
}

type rangeLine struct {
	Time      string    `json:"time"`
	Ephemeral [2]uint16 `json:"ephemeral_range"`
}

// netnsRangeLine is another network namespace's range: a line kind of its
// own (netns_ephemeral_range, not ephemeral_range), so that a reader that
// knows nothing of namespaces skips it rather than taking it for a change
// of porttop's own range.
type netnsRangeLine struct {
	Time      string    `json:"time"`
	Ephemeral [2]uint16 `json:"netns_ephemeral_range"`
	Netns     uint64    `json:"netns"`
	NetnsName string    `json:"netns_name,omitempty"`
}

// MarshalRangeChange gives one range-change line, without its newline.
func MarshalRangeChange(c RangeChange) ([]byte, error) {
	if !c.Range.Known() {
		return nil, fmt.Errorf("range change to %v: not a range of ports", c.Range)
	}
	if c.NetnsName != "" && c.Netns == 0 {
		return nil, fmt.Errorf("range change of namespace %q without its inode", c.NetnsName)
	}
	at, r := c.Time.UTC().Format(time.RFC3339Nano), [2]uint16{c.Range.Lo, c.Range.Hi}
	if c.Netns != 0 {
		return json.Marshal(netnsRangeLine{Time: at, Ephemeral: r, Netns: c.Netns, NetnsName: c.NetnsName})
	}
	return json.Marshal(rangeLine{Time: at, Ephemeral: r})
}

// parseRangeChange reads a line holding "time" and "ephemeral_range" and
// neither "event" nor "stats".
func parseRangeChange(at string, r [2]uint16) (RangeChange, error) {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return RangeChange{}, fmt.Errorf("time %q is not an RFC 3339 time", at)
	}
	if r[0] > r[1] {
		return RangeChange{}, fmt.Errorf("ephemeral_range [%d,%d] is backwards", r[0], r[1])
	}
	return RangeChange{Time: t, Range: ports.Range{Lo: r[0], Hi: r[1]}}, nil
}

// WriteRangeChange writes a range-change line when c.Range differs from the
// range events are judged against now, and judges later events against it.
// Its time should not be before the events already written; WriteWithRange
// puts it in its place among a batch's events.
func (w *Writer) WriteRangeChange(c RangeChange) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c.Range == w.ephemeral {
		return w.err
	}
	b, err := MarshalRangeChange(c)
	if err != nil {
		return err
	}
	if err := w.writeLine(b); err != nil {
		return err
	}
	w.ephemeral = c.Range
	return w.flushLocked()
}

// WriteNetnsRanges writes a range-change line naming its namespace for
// each of ranges (sampler.Batch.NetnsRanges) read for the first time or
// changed, stamped at; the events of a listed namespace's sockets written
// after are judged against its range. A namespace no longer listed is
// forgotten (its events, if any came, would be judged against the range
// of porttop's own namespace again).
func (w *Writer) WriteNetnsRanges(at time.Time, ranges []sampler.NetnsRange) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(ranges) == 0 && len(w.netns) == 0 {
		return w.err
	}
	seen := make(map[uint64]bool, len(ranges))
	wrote := false
	for _, r := range ranges {
		if r.Netns == 0 || !r.Range.Known() {
			continue
		}
		seen[r.Netns] = true
		if cur, ok := w.netns[r.Netns]; ok && cur == r.Range {
			continue
		}
		b, err := MarshalRangeChange(RangeChange{Time: at, Range: r.Range, Netns: r.Netns, NetnsName: r.NetnsName})
		if err != nil {
			return err
		}
		if err := w.writeLine(b); err != nil {
			return err
		}
		if w.netns == nil {
			w.netns = map[uint64]ports.Range{}
		}
		w.netns[r.Netns] = r.Range
		wrote = true
	}
	for ino := range w.netns {
		if !seen[ino] {
			delete(w.netns, ino)
		}
	}
	if !wrote {
		return w.err
	}
	return w.flushLocked()
}

// rangeFor is the range a socket of namespace netns is judged against.
// Called with w.mu held.
func (w *Writer) rangeFor(netns uint64) ports.Range {
	if r, ok := w.netns[netns]; ok && netns != 0 {
		return r
	}
	return w.ephemeral
}

// WriteWithRange writes events (in time order, as a feed gives them) with
// the range in force c: the events stamped before c.Time are judged against
// the range the writer had, then the range-change line goes out if c.Range
// differs, then the rest. A zero c.Range (a feed that does not read the
// range) changes nothing.
func (w *Writer) WriteWithRange(events []sampler.Event, c RangeChange) error {
	if !c.Range.Known() || c.Range == w.Ephemeral() {
		return w.Write(events)
	}
	split := len(events)
	for i := range events {
		if !events[i].Time.Before(c.Time) {
			split = i
			break
		}
	}
	if err := w.Write(events[:split]); err != nil {
		return err
	}
	if err := w.WriteRangeChange(c); err != nil {
		return err
	}
	return w.Write(events[split:])
}

// Ephemeral is the range events are judged against now: the header's, or
// the last range change written.
func (w *Writer) Ephemeral() ports.Range {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ephemeral
}

// Ephemeral is the range in force after the lines read so far: the last
// range-change line's, or the header's with a zero Time.
func (r *Reader) Ephemeral() RangeChange { return r.ephemeral }

// NetnsRanges are the other network namespaces' ranges read so far (the
// last range-change line naming each), by inode.
func (r *Reader) NetnsRanges() map[uint64]RangeChange { return r.netns }

// rangesRead adds the range change rd read last, if it is new. Changes with
// no event between them leave only the last.
func rangesRead(ranges []RangeChange, rd *Reader) []RangeChange {
	c := rd.Ephemeral()
	if c.Time.IsZero() || (len(ranges) > 0 && ranges[len(ranges)-1] == c) {
		return ranges
	}
	return append(ranges, c)
}

// compactRanges drops, from ranges in time order, the changes to the range
// already in force, so that each entry is a change from the one before.
func compactRanges(ranges []RangeChange, start ports.Range) []RangeChange {
	cur := start
	return slices.DeleteFunc(ranges, func(c RangeChange) bool {
		same := c.Range == cur
		cur = c.Range
		return same
	})
}

// rangeNoteFor is how long, in recorded time, a replay's header says the
// range changed, as a live view's does.
const rangeNoteFor = time.Minute

// rangeAt is the range in force at recorded time t, and a note saying it
// changed when that was less than rangeNoteFor before t.
func (rec *Recording) rangeAt(t time.Time) (sampler.EphemeralRange, string) {
	n := sort.Search(len(rec.Ranges), func(i int) bool { return rec.Ranges[i].Time.After(t) })
	if n == 0 {
		return sampler.EphemeralRange{Range: rec.Header.Ephemeral}, ""
	}
	c, prev := rec.Ranges[n-1], rec.Header.Ephemeral
	if n > 1 {
		prev = rec.Ranges[n-2].Range
	}
	note := ""
	if t.Sub(c.Time) < rangeNoteFor {
		note = fmt.Sprintf("ephemeral range changed at %s: %s -> %s", c.Time.Local().Format("15:04:05"), prev, c.Range)
	}
	return sampler.EphemeralRange{Range: c.Range, Since: c.Time}, note
}
