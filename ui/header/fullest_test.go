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
	line := strings.Split(out, "\n")[1]
	if !strings.Contains(line, "fullest netns blue 40000-40009: 9 of 10 (90.0%)") {
		t.Errorf("exhaustion line %q does not name the fullest namespace", line)
	}
}
