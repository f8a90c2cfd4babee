package main

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

type logBuf struct{ strings.Builder }

func (*logBuf) Close() error { return nil }

// A key is timed from its read to the end of the first write begun after
// its View: a write that began before (the frame before, holding the
// renderer) does not answer it, and a key is logged once.
func TestKeyClockTimesReadToFrameWritten(t *testing.T) {
	var log logBuf
	c := &keyClock{log: &log}
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	c.read(at(0))
	c.updating(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'s'}}, at(30), at(32))
	c.wrote(at(31), at(40)) // an older frame: View has not run
	c.viewed(at(37))
	c.wrote(at(35), at(45)) // began before View returned
	if log.Len() != 0 {
		t.Fatalf("a frame begun before the key's View answered it: %q", log.String())
	}
	c.wrote(at(50), at(52))
	c.wrote(at(60), at(70)) // later frames: the key is answered already
	want := `key="s" total_ms=52.0 queued_ms=30.0 update_ms=2.0 view_ms=5.0 write_ms=15.0` + "\n"
	if log.String() != want {
		t.Fatalf("log:\n%q\nwant\n%q", log.String(), want)
	}
}
