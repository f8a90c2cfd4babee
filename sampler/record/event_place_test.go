package record

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A socket in another namespace and a container's cgroup: its place is
// written as four fields and read back as it was; a socket with no place
// writes none of them (lines of a one-namespace source are unchanged).
func TestPlaceFieldsRoundTrip(t *testing.T) {
	s := sock(sampler.TCP, "127.0.0.1:7777", "0.0.0.0:0", sampler.StateListen, 42, "nginx", 0)
	s.Place = sampler.Place{Netns: 4026532238}.WithNames(sampler.PlaceNames{NetnsName: "blue", Cgroup: "/system.slice/docker-0123456789abcdef.scope", Container: "0123456789ab"})
	e := sampler.Event{Kind: sampler.Opened, Time: t0, Socket: s}
	b, err := MarshalEvent(e, linuxRange)
	if err != nil {
		t.Fatal(err)
	}
	want := `"netns":4026532238,"netns_name":"blue","cgroup":"/system.slice/docker-0123456789abcdef.scope","container":"0123456789ab"}`
	if !strings.HasSuffix(string(b), want) {
		t.Fatalf("line %s\nwant it to end %s", b, want)
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{OS: "linux", Ephemeral: linuxRange, Interval: time.Second, Started: t0, Source: "netlink+netns"})
	if err != nil {
		t.Fatal(err)
	}
	plain := sock(sampler.TCP, "127.0.0.1:22", "0.0.0.0:0", sampler.StateListen, 1, "sshd", 0)
	if err := w.Write([]sampler.Event{e, {Kind: sampler.Opened, Time: t0, Socket: plain}}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"netns", "netns_name", "cgroup", "container"} {
		if n := strings.Count(buf.String(), `"`+f+`":`); n != 1 {
			t.Errorf("%q written %d times, want once (the plain socket has no place)", f, n)
		}
	}
	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got.Socket.Place != s.Place {
		t.Errorf("place read back %+v, want %+v", got.Socket.Place, s.Place)
	}
	if got, err = r.Next(); err != nil || got.Socket.Place != (sampler.Place{}) {
		t.Errorf("plain socket read back with place %+v, %v", got.Socket.Place, err)
	}
}

// Bad place fields are one clear error.
func TestPlaceFieldsRejected(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{`{"time":"2026-11-26T03:43:09Z","event":"open","proto":"tcp","local":"127.0.0.1:1","state":"LISTEN","range":"well-known","os_ephemeral":false,"netns":5,"container":"XYZ"}`, `container "XYZ" is not a 12-character container id`},
		{`{"time":"2026-11-26T03:43:09Z","event":"open","proto":"tcp","local":"127.0.0.1:1","state":"LISTEN","range":"well-known","os_ephemeral":false,"netns_name":"blue"}`, `netns_name "blue" without netns`},
		{`{"time":"2026-11-26T03:43:09Z","event":"open","proto":"tcp","local":"127.0.0.1:1","state":"LISTEN","range":"well-known","os_ephemeral":false,"netns":-1}`, `netns`},
	} {
		var buf bytes.Buffer
		if _, err := NewWriter(&buf, Header{OS: "linux", Ephemeral: linuxRange, Interval: time.Second, Started: t0, Source: "netlink"}); err != nil {
			t.Fatal(err)
		}
		buf.WriteString(c.line + "\n" + c.line + "\n") // complete lines: an error, not a cut-off end
		r, err := NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Next()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("line %s: error %v, want one saying %q", c.line, err, c.want)
		}
	}
}
