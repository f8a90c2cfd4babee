package sampler

import (
	"testing"
	"time"
)

const (
	sockA = "tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED #1"
	sockB = "tcp 127.0.0.1:40002 127.0.0.1:80 ESTABLISHED #2"
	sockC = "tcp 127.0.0.1:40003 127.0.0.1:80 ESTABLISHED #3"
)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func TestFirstSeenAddKeepsTheEarlier(t *testing.T) {
	a, b := sock(t, sockA), sock(t, sockB)
	a.Since, b.Since = StampOf(at(-5)), StampOf(at(-3))
	seen := FirstSeenOf([]Socket{a, b}, Query{})
	a.Since, b.Since = StampOf(at(-8)), StampOf(at(-1))
	unstamped := sock(t, sockC)
	seen.Add([]Socket{a, b, unstamped}, Query{})
	for _, c := range []struct {
		s    Socket
		want time.Time
	}{{a, at(-8)}, {b, at(-3)}} {
		if got, ok := seen.Of(&c.s); !ok || !got.Equal(c.want) {
			t.Errorf("%v: first seen %v (known %v), want %v", c.s.Local, got, ok, c.want)
		}
	}
	if _, ok := seen.Of(&unstamped); ok {
		t.Error("a socket never stamped should not be known")
	}
}

// What the live view pays, on its own goroutine, to start a focus on a
// broad range over a big table: every socket matches.
func BenchmarkFirstSeenOf(b *testing.B) {
	socks := make([]Socket, 100_000)
	for i := range socks {
		socks[i] = sock(b, "tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED")
		socks[i].Cookie = uint64(i + 1)
		socks[i].Since = StampOf(at(i % 60))
	}
	q := Query{Ports: []PortRange{{Lo: 1, Hi: 65535}}}
	b.ReportAllocs()
	for b.Loop() {
		if seen := FirstSeenOf(socks, q); seen.Len() != len(socks) {
			b.Fatal("lost sockets")
		}
	}
}
