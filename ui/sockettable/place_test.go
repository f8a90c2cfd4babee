package sockettable

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

const hostNS, blueNS = 4026531840, 4026532238

// placed is sample() with every socket in the host's namespace, the
// listener on 8080 moved into namespace "blue" in a docker container.
func placed(blue bool) []sampler.Socket {
	socks := sample()
	for i := range socks {
		socks[i].Place = sampler.Place{Netns: hostNS}.WithNames(sampler.PlaceNames{Cgroup: "/system.slice/ssh.service"})
		if blue && socks[i].Local.Port() == 8080 {
			socks[i].Place = sampler.Place{Netns: blueNS}.WithNames(sampler.PlaceNames{NetnsName: "blue",
				Cgroup:    "/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
				Container: "0123456789ab"})
		}
	}
	return socks
}

// NS/WORKLOAD shows only when a socket is outside porttop's namespace (or
// in a container), labels those sockets, and is the first column to give
// way on a narrow terminal.
func TestPlaceColumn(t *testing.T) {
	header := func(m Model) string { return strings.SplitN(viewAt(m, t0, true), "\n", 2)[0] }
	rowOf := func(m Model, port string) string {
		for _, l := range strings.Split(viewAt(m, t0, true), "\n") {
			if strings.Contains(l, port) {
				return l
			}
		}
		return ""
	}

	m := newTable(160, 20)
	m.Observe(placed(false), nil, t0)
	if h := header(m); strings.Contains(h, "NS/WORKLOAD") {
		t.Errorf("every socket in one namespace, no container: %q shows NS/WORKLOAD", h)
	}

	m.Observe(placed(true), nil, t0.Add(time.Second))
	if h := header(m); !strings.Contains(h, "NS/WORKLOAD") {
		t.Fatalf("a socket in another namespace, at 160 columns: header %q lacks NS/WORKLOAD", h)
	}
	if r := rowOf(m, ":8080"); !strings.Contains(r, "blue/docker:0123456789ab") {
		t.Errorf("the listener in blue's container: row %q", r)
	}
	if r := rowOf(m, ":22 "); !strings.Contains(r, "ssh.service") || strings.Contains(r, "4026531840") {
		t.Errorf("a socket of porttop's namespace: row %q, want its unit and no namespace", r)
	}

	for w := 60; w <= 200; w++ {
		l := fitPlace(w, true)
		if _, ok := l.w[colPlace]; !ok {
			continue
		}
		for _, id := range []columnID{colPID, colProcess, colService, colAge} {
			if _, ok := l.w[id]; !ok {
				t.Errorf("width %d: NS/WORKLOAD shown while column %d is not", w, id)
			}
		}
	}
	m.SetSize(90, 20)
	if h := header(m); strings.Contains(h, "NS/WORKLOAD") {
		t.Errorf("at 90 columns NS/WORKLOAD should give way: %q", h)
	}

	// Told which namespace is porttop's, a lone socket elsewhere shows it.
	own := New(Options{Styles: asciiStyles(), Ephemeral: linuxEphemeral, OwnNetns: hostNS})
	own.SetSize(160, 20)
	socks := placed(false)[:1]
	socks[0].Place = sampler.Place{Netns: blueNS}
	own.Observe(socks, nil, t0)
	if r := rowOf(own, "41822"); !strings.Contains(header(own), "NS/WORKLOAD") || !strings.Contains(r, "4026532238") {
		t.Errorf("a socket in an unnamed namespace not porttop's: header %q row %q", header(own), r)
	}
}

// A namespace's name is anyone's to choose: control characters are escaped.
func TestPlaceLabelEscapes(t *testing.T) {
	pl := sampler.Place{Netns: blueNS}.WithNames(sampler.PlaceNames{NetnsName: "evil\x1b[2J"})
	if got := placeLabel(&pl, hostNS); strings.ContainsRune(got, 0x1b) {
		t.Errorf("label %q holds a raw escape", got)
	}
}
