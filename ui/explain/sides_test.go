package explain

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A TIME_WAIT left by a connection to a listener on 60718 that has since
// gone: its remote port is 60718, but no local socket holds 60718, so
// binding it works and `who 60718` says free. Explain must not call it in
// use; it says which side uses it.
func TestRemoteEndOnlyIsNotInUse(t *testing.T) {
	in := base(60718)
	in.Proto = sampler.TCP
	in.Live = true
	in.Sockets = []sampler.Socket{{
		ID: sampler.ID{Proto: sampler.TCP,
			Local:  netip.MustParseAddrPort("127.0.0.1:41000"),
			Remote: netip.MustParseAddrPort("127.0.0.1:60718")},
		State: sampler.StateTimeWait,
		Owner: sampler.Owner{UID: -1},
	}}
	out := strings.Join(strings.Fields(Text(in, 200)), " ")
	if strings.Contains(out, "is in use") {
		t.Errorf("a port only the far end uses is called in use:\n%s", out)
	}
	for _, want := range []string{"no socket on this machine holds port 60718", "free to bind here",
		"1 socket uses it only as the remote end", "port 60718 is the remote end"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
}

// Both sides: the local holders come first, as in use; the far-end users
// after, said to be the remote end.
func TestLocalAndRemoteSidesApart(t *testing.T) {
	in := inUseCase()
	out := strings.Join(strings.Fields(Text(in, 200)), " ")
	for _, want := range []string{"port 60716 is in use on this machine; 1 socket holds it: - curl",
		"Port 60716 is also the remote end (the other side's port) of 1 connection: - A tcp connection from 127.0.0.1:5432"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
}

// A TIME_WAIT socket whose timer the source reports: explain says when the
// kernel frees it (ss -o's timewait timer).
func TestTimeWaitSaysWhenItEnds(t *testing.T) {
	in := base(41000)
	in.Proto = sampler.TCP
	in.Live = true
	in.Sockets = []sampler.Socket{{
		ID: sampler.ID{Proto: sampler.TCP,
			Local:  netip.MustParseAddrPort("127.0.0.1:41000"),
			Remote: netip.MustParseAddrPort("127.0.0.1:8080")},
		State:        sampler.StateTimeWait,
		Owner:        sampler.Owner{UID: -1},
		TimeWaitEnds: sampler.StampOf(now.Add(45 * time.Second)),
	}}
	out := strings.Join(strings.Fields(Text(in, 200)), " ")
	if !strings.Contains(out, "the kernel frees it (and its port) in 45s, at 12:05:45") {
		t.Errorf("explain lacks the TIME_WAIT timer:\n%s", out)
	}
}
