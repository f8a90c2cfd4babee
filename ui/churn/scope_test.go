package churn

import (
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// inNetns puts sockets in namespace ino.
func inNetns(ino uint64, socks []sampler.Socket) []sampler.Socket {
	for i := range socks {
		socks[i].Netns = ino
	}
	return socks
}

// TestMachinePanelJudgesEachNamespaceByItsRange: given every namespace's
// sockets and the other namespaces' ranges, the machine's panel counts a
// container's destination against the container's range (its ports are
// outside the host's), and leaves the container's ports out of the host
// range's gauge; without the ranges, as before, they are not counted.
func TestMachinePanelJudgesEachNamespaceByItsRange(t *testing.T) {
	const blue = 4026532238
	socks := append(clients(33000, 3, "10.0.0.9:443", sampler.StateEstablished),
		inNetns(blue, clients(1000, 7, "10.9.0.9:5432", sampler.StateEstablished))...)
	// the container also holds ports that are in the host's range: not the host's
	socks = append(socks, inNetns(blue, clients(33000, 4, "10.9.0.8:80", sampler.StateEstablished))...)
	snap := sampler.Snapshot{Time: scriptStart, Sockets: socks}

	plain := New(plainStyles(), linuxEphemeral, 0.5).Observe(snap, nil, scriptStart)
	if v := viewAt(plain, 100, 20); strings.Contains(v, "10.9.0.9:5432") || !strings.Contains(v, "4/28,232 in use") {
		t.Errorf("without ranges: the container's ports were judged against the host's range:\n%s", v)
	}

	ranges := []sampler.NetnsRange{{Netns: blue, NetnsName: "blue", Range: ports.Range{Lo: 1000, Hi: 1999}}}
	m := New(plainStyles(), linuxEphemeral, 0.5).SetNetnsRanges(ranges).Observe(snap, nil, scriptStart)
	v := viewAt(m, 100, 20)
	for _, want := range []string{
		"tcp 10.9.0.9:5432", // 7 ports of blue's own range
		"3/28,232 in use",   // the gauge: the host's ports only
	} {
		if !strings.Contains(v, want) {
			t.Errorf("with blue's range: the panel lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "10.9.0.8:80") {
		t.Errorf("blue's ports outside its own range were counted:\n%s", v)
	}
	if m = m.SetNetnsRanges(nil).Observe(snap, nil, scriptStart); strings.Contains(viewAt(m, 100, 20), "10.9.0.9") {
		t.Errorf("SetNetnsRanges(nil) kept blue's range")
	}
}

// TestScopeIsShownEscaped: the scope names the panel's namespace in the
// title and the destinations' heading, escaped; "" adds nothing.
func TestScopeIsShownEscaped(t *testing.T) {
	m := scripted()
	before := viewAt(m, 120, 30)
	if viewAt(m.SetScope(""), 120, 30) != before || strings.Contains(before, "netns") {
		t.Fatalf("an empty scope changed the panel")
	}
	m = m.SetScope("netns \x1b[2Jred\u202e")
	v := viewAt(m, 120, 30)
	if strings.ContainsAny(v, "\x1b\u202e") {
		t.Errorf("the scope reached the panel raw: %q", v)
	}
	for _, want := range []string{
		`s · netns \x1b[2Jred\u202e · OS ephemeral range`,
		`netns \x1b[2Jred\u202e: top destinations`,
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the panel lacks %q:\n%s", want, v)
		}
	}
	// A narrow panel cuts the end of the heading, never the scope.
	if v := viewAt(m, 40, 30); !strings.Contains(v, `netns \x1b[2Jred\u202e: top`) {
		t.Errorf("at 40 columns the heading lost its scope:\n%s", v)
	}
}
