package main

import (
	"context"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui"
	"github.com/porttop/porttop/ui/theme"
)

// fakeEnv is a terminal's environment for termenv.
type fakeEnv map[string]string

func (e fakeEnv) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}
func (e fakeEnv) Getenv(k string) string { return e[k] }

// stillFeed never yields: the test sends its batches itself.
type stillFeed struct{}

func (stillFeed) Next(ctx context.Context) (live.Batch, error) {
	<-ctx.Done()
	return live.Batch{}, ctx.Err()
}

// screenOn draws a live view with a cursor row, a new row and a closed one,
// with the renderer and palette porttop would pick on a 256-colour terminal
// whose environment is env.
func screenOn(t *testing.T, env fakeEnv, noColor bool) string {
	t.Helper()
	r := newRendererFor(io.Discard, noColor, env["TERM"], termenv.WithTTY(true), termenv.WithEnvironment(env))
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cfg := ui.Config{Feed: stillFeed{}, Host: "h", Ephemeral: ports.Range{Lo: 32768, Hi: 60999},
		Renderer: r, Palette: paletteFor(noColor, theme.Default), Now: func() time.Time { return t0 }}
	m, err := ui.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sock := func(local string, pid int32) sampler.Socket {
		return sampler.Socket{
			ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort(local),
				Remote: netip.MustParseAddrPort("127.0.0.1:8765")},
			State: sampler.StateEstablished,
			Owner: sampler.Owner{PID: pid, Process: "curl"},
			Since: sampler.StampOf(t0),
		}
	}
	a, b, c := sock("127.0.0.1:40001", 10), sock("127.0.0.1:40002", 11), sock("127.0.0.1:40003", 12)
	first := sampler.Batch{Snapshot: sampler.Snapshot{Time: t0, Sockets: []sampler.Socket{a, b}},
		Events: []sampler.Event{{Kind: sampler.Opened, Time: t0, Socket: a, Existing: true}, {Kind: sampler.Opened, Time: t0, Socket: b, Existing: true}}}
	second := sampler.Batch{Snapshot: sampler.Snapshot{Time: t0, Sockets: []sampler.Socket{a, c}},
		Events: []sampler.Event{{Kind: sampler.Opened, Time: t0, Socket: c}, {Kind: sampler.Closed, Time: t0, Socket: b, Held: time.Second}}}
	var next tea.Model = m
	for _, msg := range []tea.Msg{tea.WindowSizeMsg{Width: 100, Height: 30}, ui.BatchMsg{Batch: live.Alone(first)}, ui.BatchMsg{Batch: live.Alone(second)}} {
		next, _ = next.Update(msg)
	}
	return next.View()
}

var sgr = regexp.MustCompile("\x1b\\[([0-9;]*)m")

// sgrParams sorts every SGR parameter on screen into colours and attributes.
func sgrParams(screen string) (colours, attrs map[int]bool) {
	colours, attrs = map[int]bool{}, map[int]bool{}
	for _, m := range sgr.FindAllStringSubmatch(screen, -1) {
		for _, p := range strings.Split(m[1], ";") {
			n, err := strconv.Atoi(p)
			if err != nil {
				continue
			}
			switch {
			case n >= 30 && n <= 49, n >= 90 && n <= 107:
				colours[n] = true
			case n >= 1 && n <= 9:
				attrs[n] = true
			}
			if n == 38 || n == 48 {
				break // the rest are the colour's own numbers
			}
		}
	}
	return colours, attrs
}

// TestNoColorKeepsAttributes: NO_COLOR (or --no-color) drops every colour
// but keeps reverse video on the cursor row, bold on the new row and dim on
// the closed one, which carry meaning of their own.
func TestNoColorKeepsAttributes(t *testing.T) {
	term := fakeEnv{"TERM": "xterm-256color"}
	colours, attrs := sgrParams(screenOn(t, term, false))
	if len(colours) == 0 || !attrs[7] {
		t.Fatalf("in colour: colour parameters %v, attributes %v; want colours and reverse video", colours, attrs)
	}
	for _, tc := range []struct {
		name    string
		env     fakeEnv
		noColor bool
	}{
		{"NO_COLOR", fakeEnv{"TERM": "xterm-256color", "NO_COLOR": "1"}, true},
		{"--no-color", term, true},
		{"NO_COLOR under screen", fakeEnv{"TERM": "screen", "NO_COLOR": "1"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			screen := screenOn(t, tc.env, tc.noColor)
			colours, attrs := sgrParams(screen)
			if len(colours) > 0 {
				t.Errorf("colour parameters %v on screen:\n%q", colours, screen)
			}
			for n, what := range map[int]string{1: "bold (new row)", 2: "dim (closed row)", 7: "reverse video (cursor row)"} {
				if !attrs[n] {
					t.Errorf("no %s (SGR %d) on screen: attributes %v", what, n, attrs)
				}
			}
		})
	}
}

// TestTerminalsTermenvDoesNotKnow: under TERM=screen, tmux or foot termenv
// guesses ASCII, which drops the cursor row's reverse video with the
// colours. porttop draws there in the 16 ANSI colours; only TERM=dumb (or
// none) gets no escape codes at all.
func TestTerminalsTermenvDoesNotKnow(t *testing.T) {
	for _, term := range []string{"screen", "tmux", "foot", "vt220"} {
		colours, attrs := sgrParams(screenOn(t, fakeEnv{"TERM": term}, false))
		if len(colours) == 0 || !attrs[7] {
			t.Errorf("TERM=%s: colour parameters %v, attributes %v; want colours and reverse video", term, colours, attrs)
		}
	}
	if screen := screenOn(t, fakeEnv{"TERM": "dumb"}, false); sgr.MatchString(screen) {
		t.Errorf("TERM=dumb: escape codes on screen:\n%q", screen)
	}
}
