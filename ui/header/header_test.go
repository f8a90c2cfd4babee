package header

import (
	"errors"
	"io"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func local(proto sampler.Proto, ap string) sampler.Socket {
	return sampler.Socket{ID: sampler.ID{Proto: proto, Local: netip.MustParseAddrPort(ap)}}
}

func TestTally(t *testing.T) {
	eph := ports.Range{Lo: 32768, Hi: 60999}
	socks := []sampler.Socket{
		local(sampler.TCP, "0.0.0.0:22"),
		local(sampler.TCP, "0.0.0.0:8080"),
		local(sampler.TCP, "10.0.0.5:41822"),
		local(sampler.UDP, "10.0.0.5:41822"), // same number, other protocol: one port in use
		local(sampler.TCP, "10.0.0.6:41822"), // same number, other address: still one
		local(sampler.TCP, "10.0.0.5:50000"), // dynamic and ephemeral
		local(sampler.TCP, "10.0.0.5:62000"), // dynamic, above Linux's range
	}
	c := Tally(socks, eph)
	want := Counts{Sockets: 7, WellKnown: 1, Registered: 4, Dynamic: 2, InEphemeral: 4, EphemeralPortsInUse: 2, EphemeralSize: 28232}
	if c != want {
		t.Errorf("Tally = %+v\nwant     %+v", c, want)
	}
	if p := c.EphemeralPercent(); math.Abs(p-100*2.0/28232) > 1e-9 {
		t.Errorf("EphemeralPercent = %v", p)
	}
	if (Counts{}).EphemeralPercent() != 0 {
		t.Error("an empty range must not divide by zero")
	}
}

func TestPercent(t *testing.T) {
	for p, want := range map[float64]string{0: "0.0%", 0.004: "<0.1%", 12.345: "12.3%", 100: "100.0%"} {
		if got := percent(p); got != want {
			t.Errorf("percent(%v) = %q, want %q", p, got, want)
		}
	}
}

func ev(kind sampler.EventKind, at time.Time, existing bool) sampler.Event {
	return sampler.Event{Kind: kind, Time: at, Existing: existing}
}

func TestRates(t *testing.T) {
	var r Rates
	r.Start(t0)
	var events []sampler.Event
	for i := range 10 { // 10 opens and 5 closes over the first 10 seconds
		at := t0.Add(time.Duration(i) * time.Second)
		events = append(events, ev(sampler.Opened, at, false))
		if i%2 == 0 {
			events = append(events, ev(sampler.Closed, at, false))
		}
	}
	events = append(events, ev(sampler.Opened, t0, true), ev(sampler.StateChanged, t0, false)) // neither counts
	r.Observe(events, nil)

	o, c := r.PerSecond(t0.Add(9 * time.Second))
	if o != 1 || c != 0.5 {
		t.Errorf("over the full window: %v/s out, %v/s back; want 1 and 0.5", o, c)
	}
	// Early on, what happened so far over the seconds so far (0s, 1s, 2s).
	var early Rates
	early.Start(t0)
	early.Observe(events[:3], nil) // opens at 0s and 1s, close at 0s
	o, c = early.PerSecond(t0.Add(2 * time.Second))
	if math.Abs(o-2.0/3) > 1e-9 || math.Abs(c-1.0/3) > 1e-9 {
		t.Errorf("three seconds in: %v/s, %v/s; want 2/3 and 1/3", o, c)
	}
	// Long after, the window has moved past everything.
	o, c = r.PerSecond(t0.Add(time.Minute))
	if o != 0 || c != 0 {
		t.Errorf("a minute later: %v/s, %v/s; want 0", o, c)
	}
}

func TestViewSaysWhatMatters(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	st := style.New(r, theme.Default)
	kernel := uint64(120)
	in := Info{
		Host: "web1", OS: "linux", Ephemeral: ports.Range{Lo: 32768, Hi: 60999}, EphemeralSource: "sysctl",
		Counts:       Counts{Sockets: 10, EphemeralPortsInUse: 25000, EphemeralSize: 28232},
		OpenedPerSec: 12.5, ClosedPerSec: 3,
		Interval: time.Second, Requested: time.Second, Cost: 2 * time.Millisecond, Source: "netlink",
		FocusInterval: 100 * time.Millisecond, FocusCost: 350 * time.Microsecond,
		Notes:   []string{"owners of other users' sockets hidden: run as root"},
		Dropped: 7, KernelOpened: &kernel, Reported: 100, Err: errors.New("boom"),
		Badges: []string{"PAUSED"},
	}
	out := View(st, in, 200)
	for _, want := range []string{
		"web1 (linux)", "source netlink", "every 1s, took 2ms; filtered view every 100ms, took 350µs", "PAUSED",
		"25000 in use of 28232 (88.6%)", "+12.5/s handed out", "-3.0/s released", "range from sysctl",
		"10 sockets:", "TCP connections opened: kernel 120, porttop saw 100 (20 missed)",
		"7 events dropped", "sampling failed: boom", "owners of other users' sockets hidden",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("header lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(View(st, in, 60), "\n") {
		if w := lipgloss.Width(l); w > 60 {
			t.Errorf("line wider than 60 (%d): %q", w, l)
		}
	}
}

func TestViewUnknownEphemeralRange(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	out := View(style.New(r, theme.Default), Info{Host: "h"}, 120)
	if !strings.Contains(out, "OS ephemeral range unknown") || strings.Contains(out, "in use of") {
		t.Errorf("a zero range should read as unknown:\n%s", out)
	}
	// Unknown everywhere: nothing is counted in it, not even a socket on
	// port 0 (the zero Range holds port 0 alone).
	socks := []sampler.Socket{local(sampler.UDP, "0.0.0.0:0"), local(sampler.TCP, "[::1]:37643")}
	c := Tally(socks, ports.Range{})
	if want := (Counts{Sockets: 2, WellKnown: 1, Registered: 1}); c != want {
		t.Errorf("Tally with no range = %+v, want %+v", c, want)
	}
	out = View(style.New(r, theme.Default), Info{Host: "h", Counts: c}, 120)
	if strings.Contains(out, "in OS ephemeral range") || strings.Contains(out, "%") {
		t.Errorf("an unknown range is counted in:\n%s", out)
	}
}

// TestViewSingular: one socket, one event, in the singular.
func TestViewSingular(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	out := View(style.New(r, theme.Default), Info{Host: "h", Counts: Counts{Sockets: 1}, Dropped: 1}, 120)
	for _, want := range []string{"1 socket:", "1 event dropped"} {
		if !strings.Contains(out, want) {
			t.Errorf("header lacks %q:\n%s", want, out)
		}
	}
}

func TestRoundDuration(t *testing.T) {
	for in, want := range map[time.Duration]string{
		100*time.Millisecond + 1:           "100ms",
		1234567 * time.Nanosecond:          "1.2ms",
		2*time.Second + 3*time.Millisecond: "2s",
		1500 * time.Nanosecond:             "2µs",
	} {
		if got := roundDuration(in).String(); got != want {
			t.Errorf("roundDuration(%v) = %s, want %s", in, got, want)
		}
	}
}

func TestSamplingSaysBackground(t *testing.T) {
	in := Info{Interval: time.Second, FocusInterval: 100 * time.Millisecond}
	if got := sampling(in); !strings.Contains(got, "every 1s (background); filtered view every 100ms") {
		t.Errorf("sampling() = %q", got)
	}
	in.FocusInterval = 0
	if got := sampling(in); got != "every 1s (adaptive)" {
		t.Errorf("sampling() = %q", got)
	}
}
