package explain

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// A port held only in another network namespace is said to be there, with
// the namespace and container named, and free to bind in porttop's own; one
// held in both is in use here and also there.
func TestExplainSaysWhichNamespace(t *testing.T) {
	const own, blue = 4026531840, 4026532238
	listener := func(ns uint64, name string) sampler.Socket {
		s := sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("0.0.0.0:8080")},
			State: sampler.StateListen, Owner: sampler.Owner{PID: 42, Process: "nginx", UID: -1}}
		names := sampler.PlaceNames{NetnsName: name}
		if ns == blue {
			names.Cgroup = "/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope"
		}
		s.Place = sampler.Place{Netns: ns}.WithNames(names)
		return s
	}
	in := base(8080)
	in.Live, in.Namespaces, in.OwnNetns = true, 3, own
	in.Sockets = []sampler.Socket{listener(blue, "blue\x1b[2J")}
	got := strings.Join(strings.Fields(Text(in, 100)), " ")
	for _, want := range []string{
		"held only in other network namespaces",
		"free to bind in porttop's",
		`in network namespace blue\x1b[2J (docker:0123456789ab)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("only in blue: %q lacks %q", got, want)
		}
	}
	if strings.ContainsRune(got, 0x1b) {
		t.Error("a namespace's name reached the text raw")
	}

	in.Sockets = append(in.Sockets, listener(own, ""))
	got = strings.Join(strings.Fields(Text(in, 100)), " ")
	if !strings.Contains(got, "port 8080 is in use on this machine; 1 socket holds it") ||
		!strings.Contains(got, "also held in other network namespaces") {
		t.Errorf("in both: %q", got)
	}

	in.Sockets = nil
	got = strings.Join(strings.Fields(Text(in, 100)), " ")
	if !strings.Contains(got, "in any of the 3 network namespaces porttop read") {
		t.Errorf("free everywhere: %q", got)
	}
}
