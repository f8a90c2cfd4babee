package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// marshalEventByReflection is how event lines were written before
// appendEvent: json.Marshal of an eventLine. appendEvent must give the
// same bytes.
func marshalEventByReflection(e sampler.Event, ephemeral ports.Range) ([]byte, error) {
	if e.Kind != sampler.Opened && e.Kind != sampler.Closed && e.Kind != sampler.StateChanged {
		return nil, fmt.Errorf("event kind %d is not open, close or state", e.Kind)
	}
	l, err := socketFields(&e.Socket, e.Time, ephemeral)
	if err != nil {
		return nil, err
	}
	l.Event = e.Kind.String()
	l.Existing = e.Existing
	l.SeenAtEnd = e.SeenAtEnd
	if e.Kind == sampler.StateChanged {
		l.PrevState = e.PrevState.String()
	}
	if e.Kind == sampler.Closed {
		ms := e.Held.Milliseconds()
		l.HeldMS = &ms
		l.HeldAtLeast = e.HeldAtLeast
	}
	if !e.Happened.IsZero() && !e.Happened.Equal(e.Time) {
		l.Happened = e.Happened.UTC().Format(time.RFC3339Nano)
	}
	return json.Marshal(l)
}

// TestAppendEventIsMarshal: for a wide range of events (every kind, state
// and flag, addresses of each family with and without zones, processes,
// namespaces and cgroups whose names need every kind of JSON escape,
// times in other zones and out of the usual range, held times of every
// sign), the event line is byte for byte what json.Marshal wrote.
func TestAppendEventIsMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(n int) int { return rng.IntN(n) }
	texts := []string{"", "curl", "sockdiag.test", `a"b`, `back\slash`, "<script>&amp;", "é café", "tab\there", "nl\nx",
		"\x00\x1f\x7f", "\xff\xfe bad utf8", "\u2028\u2029", "日本語", "kworker/0:1", "/system.slice/docker-0123456789ab.scope"}
	addrs := []string{"127.0.0.1", "10.1.2.3", "::1", "fe80::1%eth0", "fe80::1%a\"<b>", "::ffff:127.0.0.1", "2001:db8::ff00:42:8329", "0.0.0.0", "::"}
	locs := []*time.Location{time.UTC, time.FixedZone("x", -7*3600), time.FixedZone("y", 5*3600+1800)}
	times := []time.Time{
		time.Date(2026, 12, 7, 5, 17, 29, 105026019, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 1, time.UTC),
		{},
	}
	ranges := []ports.Range{{}, {Lo: 32768, Hi: 60999}, {Lo: 1, Hi: 65535}}
	kinds := []sampler.EventKind{sampler.Opened, sampler.Closed, sampler.StateChanged, sampler.EventKind(99)}
	for i := range 20000 {
		var e sampler.Event
		e.Kind = kinds[pick(len(kinds))]
		e.Time = times[pick(len(times))].Add(time.Duration(rng.Int64N(1e12))).In(locs[pick(len(locs))])
		s := &e.Socket
		s.Proto = []sampler.Proto{sampler.TCP, sampler.UDP, sampler.Proto(7)}[pick(3)]
		if pick(50) > 0 {
			s.Local = netip.AddrPortFrom(netip.MustParseAddr(addrs[pick(len(addrs))]), uint16(rng.IntN(65536)))
		}
		if pick(3) > 0 {
			s.Remote = netip.AddrPortFrom(netip.MustParseAddr(addrs[pick(len(addrs))]), uint16(rng.IntN(65536)))
		}
		s.State = sampler.State(pick(16))
		e.PrevState = sampler.State(pick(16))
		s.PID = []int32{0, 1, 23932, -5, 1 << 30}[pick(5)]
		s.Process = texts[pick(len(texts))]
		s.UID = []int32{-1, 0, 1000, 65534, -7}[pick(5)]
		s.Owner.Gone = pick(2) == 0
		e.Held = []time.Duration{0, time.Millisecond, 33 * time.Second, -time.Second, 1<<63 - 1, 999 * time.Microsecond}[pick(6)]
		e.HeldAtLeast, e.Existing, e.SeenAtEnd = pick(2) == 0, pick(2) == 0, pick(2) == 0
		switch pick(3) {
		case 0:
			e.Happened = e.Time
		case 1:
			e.Happened = e.Time.Add(-time.Duration(rng.Int64N(1e10)))
		}
		var names sampler.PlaceNames
		if pick(2) == 0 {
			s.Netns = []uint64{4026531840, 1, 1<<64 - 1}[pick(3)]
			names.NetnsName = texts[pick(len(texts))]
		}
		if pick(2) == 0 {
			names.Cgroup, names.Container = texts[pick(len(texts))], texts[pick(len(texts))]
		}
		s.Place = s.Place.WithNames(names)
		eph := ranges[pick(len(ranges))]
		want, wantErr := marshalEventByReflection(e, eph)
		got, gotErr := MarshalEvent(e, eph)
		if (wantErr != nil) != (gotErr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("event %d %+v:\n got %s (%v)\nwant %s (%v)", i, e, got, gotErr, want, wantErr)
		}
		// Appended after other bytes, the line is the same.
		pre := []byte("prefix")
		if gotErr == nil {
			if b, _ := appendEvent(pre, &e, eph); !bytes.Equal(b[len(pre):], want) || string(b[:len(pre)]) != "prefix" {
				t.Fatalf("event %d appended: %s", i, b)
			}
		}
	}
}
