package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A replayed recording of several network namespaces: its
// netns_ephemeral_range lines are played, so the header names the fullest
// namespace and N shows blue's churn panel against blue's own range
// (1000-1999), as live. Needs no root: the namespaces are the recording's.
func TestReplayPerNamespaceRangesInTmux(t *testing.T) {
	abs, err := filepath.Abs("testdata/netns.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	m := newTmux(t)
	m.start("replay", abs, "--speed", "4")
	m.waitText("porttop", "replay")
	m.waitText("porttop", "fullest netns blue 1000-1999: 6 of 1000")
	m.keys("porttop", "c")
	m.waitText("porttop", "all netns: top destinations")
	m.keys("porttop", "N")
	m.waitText("porttop", "porttop's netns: top destinations")
	m.keys("porttop", "N")
	screen := m.waitText("porttop", "netns blue: top destinations")
	for _, want := range []string{"OS ephemeral range 1000-1999 (1,000 ports)", "6/1,000 in use", "tcp 10.1.0.9:5432"} {
		if !strings.Contains(screen, want) {
			t.Errorf("blue's panel in the replay lacks %q:\n%s", want, screen)
		}
	}
	m.keys("porttop", "q")
	m.waitText("porttop", exitMarker+"0")
}
