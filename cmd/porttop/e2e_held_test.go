package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// heldLine is a close line as a script reads its hold.
type heldLine struct {
	Event       string `json:"event"`
	Local       string `json:"local"`
	Existing    bool   `json:"existing"`
	HeldMS      *int64 `json:"held_ms"`
	HeldAtLeast bool   `json:"held_at_least"`
}

// A connection open before `watch` started is held at least its held_ms
// (porttop first saw it at its first sample): its close says so with
// held_at_least. One opened under porttop's eyes has an exact hold and no
// such field.
func TestWatchHeldAtLeastForSocketsOpenBeforeStart(t *testing.T) {
	ln := listenLoopback(t)
	before := connect(t, ln)
	s := startPorttop(t, "watch", "--interval", "100ms", "--port", fmt.Sprint(portOf(ln)))
	s.next(wait) // header
	oldClient := fmt.Sprintf("127.0.0.1:%d", before.clientPort())
	read := func(what string, match func(heldLine) bool) heldLine {
		t.Helper()
		deadline := time.Now().Add(wait)
		for time.Now().Before(deadline) {
			var l heldLine
			raw := s.next(time.Until(deadline))
			if err := json.Unmarshal([]byte(raw), &l); err != nil {
				t.Fatalf("line is not JSON: %v\n%s", err, raw)
			}
			if match(l) {
				return l
			}
		}
		t.Fatalf("no %s within %v", what, wait)
		return heldLine{}
	}
	read("existing open of "+oldClient, func(l heldLine) bool { return l.Event == "open" && l.Local == oldClient && l.Existing })
	after := connect(t, ln)
	newClient := fmt.Sprintf("127.0.0.1:%d", after.clientPort())
	read("open of "+newClient, func(l heldLine) bool { return l.Event == "open" && l.Local == newClient })
	before.close()
	after.close()
	closes := map[string]heldLine{}
	read("closes of both clients", func(l heldLine) bool {
		if l.Event == "close" && (l.Local == oldClient || l.Local == newClient) {
			closes[l.Local] = l
		}
		return len(closes) == 2
	})
	for local, want := range map[string]bool{oldClient: true, newClient: false} {
		if l := closes[local]; l.HeldAtLeast != want || l.HeldMS == nil {
			t.Errorf("close of %s: held_at_least %v held_ms %v, want held_at_least %v", local, l.HeldAtLeast, l.HeldMS, want)
		}
	}
	if err := s.stop(); err != nil {
		t.Errorf("watch after SIGTERM: %v; stderr:\n%s", err, s.stderr)
	}
}
