package sockettable

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// TestUnknownRangeMarksNothing: with the range unknown (the zero Range), a
// socket on port 0 is not marked as in it.
func TestUnknownRangeMarksNothing(t *testing.T) {
	for _, tc := range []struct {
		eph  ports.Range
		want bool
	}{{ports.Range{}, false}, {ports.Range{Lo: 0, Hi: 10}, true}} {
		m := New(Options{Styles: asciiStyles(), Ephemeral: tc.eph})
		m.SetSize(100, 5)
		m.Observe([]sampler.Socket{mk(sampler.UDP, "0.0.0.0:0", "", sampler.StateNone, 0, "", 0)}, nil, t0)
		row := strings.Split(viewAt(m, t0, false), "\n")[1]
		if got := strings.HasPrefix(row, "  "+EphemeralGlyph); got != tc.want {
			t.Errorf("range %+v: row %q marked ephemeral %v, want %v", tc.eph, row, got, tc.want)
		}
	}
}

// TestEphemeralMarkByNamespaceRange: a socket of another network
// namespace is marked e by its own namespace's range (SetNetnsRanges), a
// socket of porttop's by porttop's, step by step as the ranges come, change
// and go.
func TestEphemeralMarkByNamespaceRange(t *testing.T) {
	const tiny = 4026532999
	tinyRange := ports.Range{Lo: 20000, Hi: 20009}
	inTiny := func(s sampler.Socket) sampler.Socket {
		s.Place = sampler.Place{Netns: tiny}.WithNames(sampler.PlaceNames{NetnsName: "tiny"})
		return s
	}
	socks := []sampler.Socket{
		inTiny(mk(sampler.TCP, "10.3.0.2:20003", "10.3.0.9:5432", sampler.StateEstablished, 1, "app", 0)),
		inTiny(mk(sampler.TCP, "10.3.0.2:40001", "10.3.0.9:5432", sampler.StateEstablished, 1, "app", 0)),
		mk(sampler.TCP, "10.0.0.5:20004", "10.0.0.9:5432", sampler.StateEstablished, 2, "host", 0),
		mk(sampler.TCP, "10.0.0.5:40002", "10.0.0.9:5432", sampler.StateEstablished, 2, "host", 0),
	}
	m := newTable(140, 10)
	m.Observe(socks, nil, t0.Add(-time.Minute)) // not fresh: the gutter is the mark alone
	marked := func(m Model) map[string]bool {
		out := map[string]bool{}
		for _, line := range strings.Split(viewAt(m, t0, false), "\n")[1:] {
			for _, a := range []string{"20003", "40001", "20004", "40002"} {
				if strings.Contains(line, ":"+a+" ") {
					out[a] = strings.HasPrefix(line, "  "+EphemeralGlyph)
				}
			}
		}
		return out
	}
	steps := []struct {
		name   string
		ranges []sampler.NetnsRange
		want   map[string]bool
	}{
		{"no namespace ranges: all by porttop's", nil,
			map[string]bool{"20003": false, "40001": true, "20004": false, "40002": true}},
		{"tiny's range known", []sampler.NetnsRange{{Netns: tiny, NetnsName: "tiny", Range: tinyRange}},
			map[string]bool{"20003": true, "40001": false, "20004": false, "40002": true}},
		{"tiny's range changed", []sampler.NetnsRange{{Netns: tiny, Range: ports.Range{Lo: 40000, Hi: 40009}}},
			map[string]bool{"20003": false, "40001": true, "20004": false, "40002": true}},
		{"tiny back", []sampler.NetnsRange{{Netns: tiny, Range: tinyRange}},
			map[string]bool{"20003": true, "40001": false, "20004": false, "40002": true}},
		{"tiny no longer read", nil,
			map[string]bool{"20003": false, "40001": true, "20004": false, "40002": true}},
	}
	for i, st := range steps {
		m.SetNetnsRanges(st.ranges)
		got := marked(m)
		for p, w := range st.want {
			if got[p] != w {
				t.Errorf("step %d (%s): port %s marked e %v, want %v\n%s", i, st.name, p, got[p], w, viewAt(m, t0, false))
			}
		}
	}
}
