//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Without a terminal, replay says so before it loads the events (a bad
// event line further on is never reached) and before it waits on a FIFO.
func TestReplayChecksTerminalBeforeLoading(t *testing.T) {
	rec, err := os.ReadFile("testdata/loopback.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad-event.jsonl")
	if err := os.WriteFile(bad, append(rec, []byte("{\"event\":\"open\",\"time\":\"noon\"}\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	checkOneLine(t, runPorttop(t, "replay", bad), "no terminal")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	checkOneLine(t, runPorttop(t, "replay", fifo), "no terminal")
}

// A FIFO is read as a stream: replay says it waits, then plays what the
// writer sent once it is done.
func TestReplayFIFOInTmux(t *testing.T) {
	m := newTmux(t)
	rec, err := os.ReadFile("testdata/loopback.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(t.TempDir(), "rec.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	m.start("replay", fifo)
	m.waitText("porttop", "is a pipe: reading it to its end")
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	m.waitText("porttop", "replay of rec.fifo")
	m.keys("porttop", "q")
	screen := m.waitText("porttop", exitMarker)
	if !strings.Contains(screen, exitMarker+"0") {
		t.Errorf("replay of a FIFO did not end with status 0:\n%s", screen)
	}
}
