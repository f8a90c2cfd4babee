package poll

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// sock builds a socket from "proto local remote state", e.g.
// "tcp 127.0.0.1:5000 127.0.0.1:80 ESTABLISHED"; a trailing "#n" sets the cookie.
func sock(t testing.TB, spec string) sampler.Socket {
	t.Helper()
	f := strings.Fields(spec)
	var s sampler.Socket
	s.UID = -1
	if n := len(f); n > 0 && strings.HasPrefix(f[n-1], "#") {
		if _, err := fmt.Sscan(f[n-1][1:], &s.Cookie); err != nil {
			t.Fatalf("bad cookie in %q: %v", spec, err)
		}
		f = f[:n-1]
	}
	if len(f) != 4 {
		t.Fatalf("bad socket spec %q", spec)
	}
	var ok bool
	if s.Proto, ok = sampler.ParseProto(f[0]); !ok {
		t.Fatalf("bad proto in %q", spec)
	}
	s.Local = netip.MustParseAddrPort(f[1])
	s.Remote = netip.MustParseAddrPort(f[2])
	if s.State, ok = sampler.ParseState(f[3]); !ok {
		t.Fatalf("bad state in %q", spec)
	}
	return s
}

func snap(t testing.TB, at time.Time, specs ...string) sampler.Snapshot {
	t.Helper()
	s := sampler.Snapshot{Time: at}
	for _, spec := range specs {
		s.Sockets = append(s.Sockets, sock(t, spec))
	}
	return s
}

// benchTables builds two tables of n sockets where 1% closed, 1% opened and
// 1% changed state: a busy but typical step (as sampler's diff benchmark).
func benchTables(n int) (prev, next sampler.Snapshot) {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	mk := func(i int) sampler.Socket {
		return sampler.Socket{
			ID: sampler.ID{
				Cookie: uint64(i + 1),
				Proto:  sampler.TCP,
				Local:  netip.AddrPortFrom(lo, uint16(1024+i%64000)),
				Remote: netip.AddrPortFrom(lo, uint16(80+i/64000)),
			},
			State: sampler.StateEstablished,
			Owner: sampler.Owner{UID: -1},
		}
	}
	prev.Time, next.Time = t0, t0.Add(100*time.Millisecond)
	churn := n / 100
	for i := range n {
		prev.Sockets = append(prev.Sockets, mk(i))
		prev.Sockets[i].Since = sampler.StampOf(t0)
	}
	for i := churn; i < n+churn; i++ {
		s := mk(i)
		if i < 2*churn {
			s.State = sampler.StateCloseWait
		}
		next.Sockets = append(next.Sockets, s)
	}
	return prev, next
}
