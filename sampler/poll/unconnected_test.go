package poll

import (
	"context"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// The kernel's ActiveOpens counts connect() attempts and PassiveOpens
// accepted children: a TCP socket counts as a connection only with a peer.
func TestIsTCPConnection(t *testing.T) {
	for _, c := range []struct {
		spec string
		want bool
	}{
		{"tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED", true},
		{"tcp 127.0.0.1:40001 127.0.0.1:80 SYN_SENT", true},
		{"tcp 127.0.0.1:40001 127.0.0.1:80 TIME_WAIT", true},
		{"tcp 127.0.0.1:40001 127.0.0.1:9 CLOSE", true}, // connect() refused: the kernel counted it
		{"tcp 127.0.0.1:8765 127.0.0.1:40001 CLOSE", true},
		{"tcp 0.0.0.0:52430 127.0.0.1:0 CLOSE", true}, // reset by SO_LINGER 0: the kernel clears the remote port only
		{"tcp [::]:52431 [::1]:0 CLOSE", true},
		{"tcp 127.0.0.1:8765 127.0.0.1:40001 SYN_RECV", false}, // handshake not complete: PassiveOpens waits
		{"tcp 127.0.0.1:8765 0.0.0.0:0 LISTEN", false},
		{"tcp [::]:8765 [::]:0 LISTEN", false},
		{"tcp [::1]:57956 [::]:0 CLOSE", false},
		{"tcp 127.0.0.1:57955 0.0.0.0:0 CLOSE", false}, // bound, never connected
		{"tcp 0.0.0.0:0 0.0.0.0:0 CLOSE", false},       // never even bound
		{"udp 127.0.0.1:40004 127.0.0.1:53 NONE", false},
	} {
		s := sock(t, c.spec)
		if got := isTCPConnection(&s); got != c.want {
			t.Errorf("isTCPConnection(%s) = %v, want %v", c.spec, got, c.want)
		}
	}
}

// Sockets that never connect, known only from their release: one never
// bound makes no event at all; one bound (a port was handed out) or a
// listener that came and went between samples makes its open and close but
// is not counted as a TCP connection; a refused connect() and an accepted
// child are.
func TestPollerReleasesOfUnconnectedSockets(t *testing.T) {
	p, _ := newTestPoller(t, Config{}, ok(snap(t, at(0))))
	p.sample(context.Background())
	take(t, p)

	for _, c := range []struct {
		spec      string
		events    []string
		tcpCounts bool
	}{
		{"tcp 0.0.0.0:0 0.0.0.0:0 CLOSE #5", nil, false},
		{"tcp [::]:0 [::]:0 CLOSE #6", nil, false},
		{"udp 0.0.0.0:0 0.0.0.0:0 NONE #7", nil, false},
		{"tcp 127.0.0.1:57955 0.0.0.0:0 CLOSE #8",
			[]string{"open 127.0.0.1:57955 seen-at-end", "close 127.0.0.1:57955 seen-at-end"}, false},
		{"tcp 127.0.0.1:8765 0.0.0.0:0 CLOSE #9", // a listener, closed before any sample saw it
			[]string{"open 127.0.0.1:8765 seen-at-end", "close 127.0.0.1:8765 seen-at-end"}, false},
		{"tcp 127.0.0.1:8765 127.0.0.1:40011 CLOSE #10", // its accepted child
			[]string{"open 127.0.0.1:8765 seen-at-end", "close 127.0.0.1:8765 seen-at-end"}, true},
		{"tcp 127.0.0.1:40012 127.0.0.1:9 CLOSE #11", // connect() refused
			[]string{"open 127.0.0.1:40012 seen-at-end", "close 127.0.0.1:40012 seen-at-end"}, true},
		{"tcp 0.0.0.0:40013 127.0.0.1:0 CLOSE #12", // reset by SO_LINGER 0 before any sample saw it
			[]string{"open 0.0.0.0:40013 seen-at-end", "close 0.0.0.0:40013 seen-at-end"}, true},
	} {
		before := p.rec.audit.ReportedTCP
		p.handleReleases(sampler.Release{Socket: sock(t, c.spec), At: at(1)}, nil)
		var got []sampler.Event
		if b, err := p.Next(expired()); err == nil {
			got = b.Events
		}
		if len(c.events) == 0 && len(got) > 0 {
			t.Errorf("%s: events %q, want none: no port was handed out", c.spec, kinds(got))
		} else if len(c.events) > 0 {
			wantKinds(t, got, c.events...)
		}
		if counted := p.rec.audit.ReportedTCP > before; counted != c.tcpCounts {
			t.Errorf("%s: counted as a TCP connection %v, want %v", c.spec, counted, c.tcpCounts)
		}
	}
}

// A sample may list a bound socket that never connected (recent kernels
// dump them, in state CLOSE): its port was handed out, so it is reported,
// but it is no TCP connection.
func TestPollerSampledBoundSocketNotCountedAsConnection(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0))),
		ok(snap(t, at(1), sockA, "tcp 127.0.0.1:57955 0.0.0.0:0 CLOSE #8")),
	)
	p.sample(ctx)
	p.sample(ctx)
	b := take(t, p)
	if b.Reported != 2 || b.ReportedTCP != 1 {
		t.Errorf("Reported %d, ReportedTCP %d; want 2 opens of which 1 TCP connection", b.Reported, b.ReportedTCP)
	}
}
