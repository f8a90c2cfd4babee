package record

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// inNetns is handOut from a socket of namespace ino.
func inNetns(port string, ms int, ino uint64, name string) sampler.Event {
	e := handOut(port, ms)
	e.Socket.Place = sampler.Place{Netns: ino}.WithNames(sampler.PlaceNames{NetnsName: name})
	return e
}

// Each namespace's sockets are judged against its own range: a line names
// each namespace's range when first read and when it changes, and porttop's
// own namespace (and a namespace no longer listed) keeps the header's.
func TestWriterJudgesEachNamespaceByItsRange(t *testing.T) {
	var out bytes.Buffer
	w, err := NewWriter(&out, Header{OS: "linux", Ephemeral: linuxRange}) // 32768-60999
	if err != nil {
		t.Fatal(err)
	}
	blue, red := ports.Range{Lo: 40000, Hi: 40999}, ports.Range{Lo: 61000, Hi: 61999}
	ranges := []sampler.NetnsRange{{Netns: 11, NetnsName: "blue", Range: blue}, {Netns: 12, Range: red}}
	steps := []struct {
		ranges []sampler.NetnsRange
		events []sampler.Event
	}{
		{ranges, []sampler.Event{
			inNetns("50000", 0, 11, "blue"), // outside blue's range, inside the host's
			inNetns("61500", 1, 12, ""),     // inside red's, outside the host's
			inNetns("50001", 2, 1, ""),      // porttop's own namespace: the host's
		}},
		{ranges, []sampler.Event{inNetns("40001", 3, 11, "blue")}}, // no line again
		{[]sampler.NetnsRange{{Netns: 11, NetnsName: "blue", Range: red}}, []sampler.Event{
			inNetns("61001", 4, 11, "blue"), // blue widened to red's range
			inNetns("61002", 5, 12, ""),     // red gone from the list: the host's
		}},
	}
	for i, s := range steps {
		if err := w.WriteNetnsRanges(t0.Add(time.Duration(i)*time.Millisecond), s.ranges); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(s.events); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")[1:]
	want := []string{
		`{"time":"2026-11-26T03:43:09.123456789Z","netns_ephemeral_range":[40000,40999],"netns":11,"netns_name":"blue"}`,
		`{"time":"2026-11-26T03:43:09.123456789Z","netns_ephemeral_range":[61000,61999],"netns":12}`,
		`"local":"127.0.0.1:50000"` + `|"os_ephemeral":false`,
		`"local":"127.0.0.1:61500"` + `|"os_ephemeral":true`,
		`"local":"127.0.0.1:50001"` + `|"os_ephemeral":true`,
		`"local":"127.0.0.1:40001"` + `|"os_ephemeral":true`,
		`{"time":"2026-11-26T03:43:09.125456789Z","netns_ephemeral_range":[61000,61999],"netns":11,"netns_name":"blue"}`,
		`"local":"127.0.0.1:61001"` + `|"os_ephemeral":true`,
		`"local":"127.0.0.1:61002"` + `|"os_ephemeral":false`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, l := range lines {
		for _, part := range strings.Split(want[i], "|") {
			if !strings.Contains(l, part) {
				t.Errorf("line %d: %s\nwant it to hold %s", i+2, l, part)
			}
		}
	}

	// Read back: a namespace's line leaves porttop's own range alone.
	r, err := NewReader(strings.NewReader(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	events := 0
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		events++
	}
	if events != 6 || r.Ephemeral().Range != linuxRange {
		t.Errorf("read %d events, range %v; want 6, %v", events, r.Ephemeral().Range, linuxRange)
	}
	got := r.NetnsRanges()
	if len(got) != 2 || got[11].Range != red || got[11].NetnsName != "blue" || got[12].Range != red {
		t.Errorf("namespaces' ranges read back: %+v", got)
	}
}
