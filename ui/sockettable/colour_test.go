package sockettable

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

// TestColours checks what the ASCII goldens cannot: the local port carries
// its range's colour, the cursor row is reverse video, a closed row is faint.
func TestColours(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	m := New(Options{Styles: style.New(r, theme.Default), Ephemeral: linuxEphemeral})
	m.SetSize(100, 10)
	m.Observe(sample(), nil, t0)
	lines := strings.Split(viewAt(m, t0, true), "\n")
	find := func(port string) string {
		for _, l := range lines {
			if strings.Contains(l, port) {
				return l
			}
		}
		t.Fatalf("no row with %s", port)
		return ""
	}
	const (
		wellKnown  = "38;2;255;140;6"  // #FF8C42, Default's dark WellKnown (the last digit rounds)
		registered = "38;2;95;168;255" // #5FA8FF
		reverse    = "\x1b[7"          // SGR 7 leads the cursor row's style
	)
	if l := find("*:8080"); !strings.Contains(l, registered) {
		t.Errorf("8080 should be in the registered colour: %q", l)
	}
	if l := find("*:22"); !strings.Contains(l, reverse) {
		t.Errorf("the cursor row (22, first in port order) should be reverse video: %q", l)
	}
	m.MoveBy(1)
	lines = strings.Split(viewAt(m, t0, true), "\n")
	if l := find("*:22"); !strings.Contains(l, wellKnown) || strings.Contains(l, reverse) {
		t.Errorf("off the cursor, 22 should be in the well-known colour: %q", l)
	}
}
