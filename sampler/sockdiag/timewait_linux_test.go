//go:build linux

package sockdiag

import (
	"context"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The kernel reports each TIME_WAIT socket's time left on its timer (what
// `ss -o` shows as timer:(timewait,59sec,0)): a loopback client that closed
// first sits in TIME_WAIT with up to 60 s left, and the sample says when it
// ends. Sockets in other states have no such time.
func TestTimeWaitSocketsSayWhenTheyEnd(t *testing.T) {
	p := openPair(t, "tcp4", "127.0.0.1:0")
	client, server := addrPort(p.client.LocalAddr()), addrPort(p.client.RemoteAddr())
	p.client.Close()
	p.server.Close()
	src := newSource(t)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		before := time.Now()
		snap, err := src.Sample(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range snap.Sockets {
			// Both ends: an older TIME_WAIT on the same local port (another
			// test's, to another listener) is not this one.
			if s.Proto != sampler.TCP || s.Local != client || s.Remote != server {
				continue
			}
			if s.State != sampler.StateTimeWait {
				if !s.TimeWaitEnds.IsZero() {
					t.Errorf("%v in %v has a TIME_WAIT end %v", client, s.State, s.TimeWaitEnds)
				}
				continue
			}
			left := s.TimeWaitEnds.Time().Sub(before)
			if left < 50*time.Second || left > 61*time.Second {
				t.Fatalf("TIME_WAIT %v ends in %v, want about 60s (TCP_TIMEWAIT_LEN)", client, left)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no TIME_WAIT socket for the client %v", client)
}
