package header

import (
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

func inNS(port uint16, ino uint64) sampler.Socket {
	s := sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)}}
	s.Netns = ino
	return s
}

// Each namespace runs out of its own range: the header's exhaustion line
// names the namespace fullest of its range, and porttop's own figure
// counts only porttop's namespace's ports.
func TestExhaustionNamesFullestNamespace(t *testing.T) {
	host := ports.Range{Lo: 32768, Hi: 60999}
	ranges := []sampler.NetnsRange{
		{Netns: 11, NetnsName: "blue", Range: ports.Range{Lo: 40000, Hi: 40009}}, // 10 ports
		{Netns: 12, Range: ports.Range{Lo: 61000, Hi: 61999}},
	}
	var socks []sampler.Socket
	for p := uint16(40000); p < 40009; p++ { // 9 of blue's 10
		socks = append(socks, inNS(p, 11))
	}
	socks = append(socks, inNS(61000, 12), inNS(61001, 12), inNS(33000, 1), inNS(40000, 1))

	f, ok := FullestNamespace(socks, ranges)
	if !ok || f.Label != "blue" || f.InUse != 9 || f.Percent() != 90 {
		t.Fatalf("fullest: %+v %v, want blue with 9 of 10", f, ok)
	}
	if _, ok := FullestNamespace(socks, nil); ok {
		t.Error("one namespace read: no fullest other namespace")
	}
	c := TallyNetns(socks, host, ranges)
	if c.EphemeralPortsInUse != 2 || c.InEphemeral != 13 {
		t.Errorf("porttop's namespace: %d ports in use, %d sockets in their range; want 2 and 13", c.EphemeralPortsInUse, c.InEphemeral)
	}
	if old := Tally(socks, host); old.EphemeralPortsInUse != 10 {
		t.Errorf("Tally without namespaces counts every socket: %d, want 10", old.EphemeralPortsInUse)
	}

	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	out := View(style.New(r, theme.Default), Info{Host: "h", Ephemeral: host, Counts: c, Fullest: &f}, 200)
	line := strings.Split(out, "\n")[2]
	if !strings.Contains(line, "fullest netns blue 40000-40009: 9 of 10 (90.0%)") {
		t.Errorf("exhaustion line %q does not name the fullest namespace", line)
	}
	// On a narrow terminal the line's end is cut: the rates come first.
	narrow := strings.Split(View(style.New(r, theme.Default), Info{Host: "h", Ephemeral: host, Counts: c, Fullest: &f, OpenedPerSec: 12.5}, 80), "\n")
	if !strings.Contains(narrow[1], "+12.5/s handed out") || !strings.Contains(narrow[2], "fullest netns blue 40000-40009: 9 of 10 (90.0%)") {
		t.Errorf("at 80 columns the rates or the fullest namespace are cut:\n%s", strings.Join(narrow, "\n"))
	}
}

// The header's exhaustion warning speaks of the fullest namespace when it
// uses more of its own range than porttop's namespace uses of its, and
// more than the --warn share: a "!" line naming it (escaped) with its
// range and figures and porttop's, legible without colour (ASCII
// renderer: no colour at all), and the ⚠ mark after a figure at 80% or
// over. Step by step, as the namespace fills and porttop's own does.
func TestWarningSpeaksOfFullerNamespace(t *testing.T) {
	host := ports.Range{Lo: 60000, Hi: 60009} // porttop's: 10 ports too, to fill it
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	st := style.New(r, theme.Default)
	const name = "tiny\x1b[2J"
	ranges := []sampler.NetnsRange{{Netns: 11, NetnsName: name, Range: ports.Range{Lo: 20000, Hi: 20009}}}
	steps := []struct {
		name      string
		tiny, own int     // ports in use in tiny's range and porttop's
		warn      float64 // --warn share; 0: the default 50%
		want      string  // in the warning line; "" for none
		mark      string  // on the exhaustion line
	}{
		{"tiny at 40%: under the warning level", 4, 0, 0, "", ""},
		{"tiny at 60%: over 50%", 6, 0, 0,
			`! netns tiny\x1b[2J is running out of its own ephemeral range 20000-20009: 6 of its 10 ports in use (60.0%, over the 50.0% warning level), porttop's netns 0.0% of 60000-60009`, ""},
		{"--warn 70%: 60% is under it", 6, 0, 0.7, "", ""},
		{"porttop's own as full: tiny is not fuller", 6, 6, 0, "", ""},
		{"tiny full", 10, 8, 0,
			`! netns tiny\x1b[2J is running out of its own ephemeral range 20000-20009: 10 of its 10 ports in use (100.0%, over the 50.0% warning level), porttop's netns 80.0% of 60000-60009: a new connect() in it can fail with EADDRNOTAVAIL`,
			"fullest netns tiny\\x1b[2J 20000-20009: 10 of 10 (100.0%) ⚠"},
	}
	for i, s := range steps {
		var socks []sampler.Socket
		for p := range s.tiny {
			socks = append(socks, inNS(uint16(20000+p), 11))
		}
		for p := range s.own {
			socks = append(socks, inNS(uint16(60000+p), 1))
		}
		in := Info{Host: "h", Ephemeral: host, Counts: TallyNetns(socks, host, ranges), Warn: s.warn}
		if f, ok := FullestNamespace(socks, ranges); ok {
			in.Fullest = &f
		}
		out := View(st, in, 400)
		if strings.Contains(out, "\x1b") {
			t.Fatalf("step %d: raw escape in the header: %q", i, out)
		}
		var warning string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "! netns") {
				warning = l
			}
		}
		if warning != s.want {
			t.Errorf("step %d (%s): warning\n%q, want\n%q", i, s.name, warning, s.want)
		}
		if line := strings.Split(out, "\n")[2]; s.mark != "" && !strings.Contains(line, s.mark) {
			t.Errorf("step %d (%s): exhaustion line %q lacks %q", i, s.name, line, s.mark)
		}
	}
}
