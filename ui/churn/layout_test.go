package churn

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

func TestPlanPriority(t *testing.T) {
	// t: title, s: three sparklines, u: summary, g: gauge, h: heading.
	type want struct {
		parts string
		dests int
	}
	tests := []struct {
		height, dests int
		want          want
	}{
		{0, 5, want{"", 0}},
		{1, 5, want{"h", 0}},
		{2, 5, want{"h", 1}},
		{3, 5, want{"gh", 1}},
		{4, 5, want{"gh", 2}},  // 60x16
		{5, 5, want{"gh", 3}},  // the top 3 before the summary
		{6, 5, want{"ugh", 3}}, // 80x24
		{7, 5, want{"ugh", 4}}, // 100x30 under a taller header
		{8, 5, want{"ugh", 5}}, // 100x30: the top 5 before the sparklines
		{9, 5, want{"ugh", 5}}, // a line too few for the sparklines: left blank
		{10, 5, want{"sgh", 5}},
		{11, 5, want{"tsgh", 5}},
		{12, 8, want{"tsgh", 6}}, // then every further destination
		{60, 8, want{"tsgh", 8}},
		{4, 0, want{"ugh", 1}}, // no destinations: one line says so
		{5, 2, want{"ugh", 2}},
		{7, 2, want{"sgh", 2}},
		{8, 2, want{"tsgh", 2}}, // the demo's two destinations at 100x30
		{6, 1, want{"sgh", 1}},
	}
	for _, tt := range tests {
		l := plan(tt.height, tt.dests)
		var parts strings.Builder
		for _, p := range []struct {
			on bool
			c  byte
		}{{l.title, 't'}, {l.sparklines, 's'}, {l.summary, 'u'}, {l.gauge, 'g'}, {l.heading, 'h'}} {
			if p.on {
				parts.WriteByte(p.c)
			}
		}
		got := want{parts.String(), l.dests}
		if got != tt.want {
			t.Errorf("plan(height %d, %d dests) = %+v; want %+v", tt.height, tt.dests, got, tt.want)
		}
		if l.lines() > tt.height {
			t.Errorf("plan(height %d, %d dests) takes %d lines", tt.height, tt.dests, l.lines())
		}
	}
}

// busyServer is a machine whose clients hold ports to five destinations,
// 16,000 of them to a database (57% of the range: WARN), while its own
// servers accepted connections: from its loopback clients on 127.0.0.1:8080
// and [::]:9090, and from 10.0.0.77 on *:22. Accepted sockets hold no port of
// their own and must never be listed.
func busyServer() (Model, []DestCount) {
	tcp := func(local, remote netip.AddrPort, st sampler.State) sampler.Socket {
		s := sampler.Socket{State: st, Owner: sampler.Owner{UID: -1}}
		s.Proto, s.Local, s.Remote = sampler.TCP, local, remote
		return s
	}
	ap := netip.MustParseAddrPort
	loop4, loop6 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")
	socks := []sampler.Socket{
		sock(sampler.TCP, "127.0.0.1:8080", "0.0.0.0:0", sampler.StateListen),
		sock(sampler.TCP, "[::]:9090", "[::]:0", sampler.StateListen),
		sock(sampler.TCP, "0.0.0.0:22", "0.0.0.0:0", sampler.StateListen),
		sock(sampler.TCP, "10.0.0.2:22", "10.0.0.77:51234", sampler.StateEstablished),
		sock(sampler.TCP, "10.0.0.2:22", "10.0.0.77:51240", sampler.StateTimeWait),
	}
	socks = append(socks, clients(32768, 16000, "10.0.0.5:5432", sampler.StateEstablished)...)
	for i := range 300 {
		c := netip.AddrPortFrom(loop4, uint16(50000+i))
		socks = append(socks, tcp(c, ap("127.0.0.1:8080"), sampler.StateEstablished), tcp(ap("127.0.0.1:8080"), c, sampler.StateEstablished))
	}
	for i := range 200 {
		c := netip.AddrPortFrom(loop6, uint16(51000+i))
		socks = append(socks, tcp(c, ap("[::1]:9090"), sampler.StateTimeWait), tcp(ap("[::1]:9090"), c, sampler.StateEstablished))
	}
	socks = append(socks, clients(52000, 40, "10.0.0.9:443", sampler.StateEstablished)...)
	for i := range 3 {
		socks = append(socks, sock(sampler.UDP, "10.0.0.2:"+strconv.Itoa(53000+i), "10.0.0.53:53", sampler.StateNone))
	}
	want := []DestCount{
		{dest(sampler.TCP, "10.0.0.5:5432"), 16000},
		{dest(sampler.TCP, "127.0.0.1:8080"), 300},
		{dest(sampler.TCP, "[::1]:9090"), 200},
		{dest(sampler.TCP, "10.0.0.9:443"), 40},
		{dest(sampler.UDP, "10.0.0.53:53"), 3},
	}

	m := New(plainStyles(), linuxEphemeral, 0.5)
	for sec := range 20 {
		now := scriptStart.Add(time.Duration(sec) * time.Second)
		var evs []sampler.Event
		for i := range 10 + sec {
			evs = append(evs, event(sampler.Opened, socks[5+i], now))
		}
		m = m.Observe(sampler.Snapshot{Time: now, Sockets: socks}, evs, now)
	}
	return m, want
}

// The panel's area is what porttop's screen gives it (ui/layout.go): under
// the table, the full width and a third of the body, at least 4 lines; from
// 140 columns, beside the table, a third of the width and the whole body.
// The header takes 3 or 4 lines (4 with kernel counters), so 100x30 gives 7
// or 8.
func TestViewAtScreenSizes(t *testing.T) {
	m, all := busyServer()
	tests := []struct {
		screen        string
		width, height int
		dests         int  // destination rows
		summary       bool // the churn values on one line
		sparklines    bool
		title         bool
	}{
		{"60x16", 60, 4, 2, false, false, false},
		{"80x24", 80, 6, 3, true, false, false},
		{"100x30", 100, 7, 4, true, false, false},
		{"100x30", 100, 8, 5, true, false, false},
		{"200x60", 66, 54, 5, false, true, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_panel_%dx%d", tt.screen, tt.width, tt.height), func(t *testing.T) {
			out := viewAt(m, tt.width, tt.height)
			checkFits(t, out, tt.width, tt.height)
			lines := strings.Split(out, "\n")
			head := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "top destinations") })
			if head < 0 {
				t.Fatalf("no destinations heading:\n%s", out)
			}
			// The heading says what the share is of, even at 60 columns.
			if !strings.Contains(lines[head], "share of 32768-60999 · WARN") {
				t.Errorf("heading %q does not name the range the share is of", lines[head])
			}
			var got []string
			for _, l := range lines[head+1:] {
				if f := strings.Fields(strings.TrimPrefix(l, "⚠ WARN")); len(f) >= 4 {
					got = append(got, strings.Join(f[:4], " "))
				}
			}
			var want []string
			for _, dc := range all[:tt.dests] {
				want = append(want, fmt.Sprintf("%s %s %s", dc.Dest, commas(dc.Ports), Percent(m.share(dc.Ports))))
			}
			if !slices.Equal(got, want) {
				t.Errorf("destination rows = %q; want %q (the top %d, accepted sockets never):\n%s", got, want, tt.dests, out)
			}
			if head+1 >= len(lines) || !strings.HasPrefix(lines[head+1], "⚠ WARN tcp 10.0.0.5:5432") {
				t.Errorf("the database (57%% of the range) is not marked WARN:\n%s", out)
			}
			if gauge := slices.IndexFunc(lines, func(l string) bool {
				return strings.HasPrefix(l, "ephemeral ") && strings.Contains(l, "█") && strings.Contains(l, "16,543/28,232 in use")
			}); gauge < 0 || gauge > head {
				t.Errorf("no ephemeral gauge above the destinations:\n%s", out)
			}
			sparkRows := 0
			for _, l := range lines {
				if strings.HasPrefix(l, "hand-outs/s ") || strings.HasPrefix(l, "releases/s ") || strings.HasPrefix(l, "TIME_WAIT ") {
					sparkRows++
				}
			}
			// The summary gives the last whole second, 18 (10+18 hand-outs).
			summary := slices.ContainsFunc(lines, func(l string) bool {
				return strings.Contains(l, "hand-outs/s 28") && strings.Contains(l, "releases/s 0") && strings.Contains(l, "TIME_WAIT 201")
			})
			if wantRows := map[bool]int{true: 3}[tt.sparklines]; sparkRows != wantRows || summary != tt.summary {
				t.Errorf("%d sparkline rows, summary %v; want %d rows, summary %v:\n%s", sparkRows, summary, wantRows, tt.summary, out)
			}
			if title := strings.HasPrefix(lines[0], "port churn, last 20s · OS ephemeral range"); title != tt.title {
				t.Errorf("title shown %v; want %v:\n%s", title, tt.title, out)
			}
		})
	}
}
