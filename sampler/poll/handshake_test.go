package poll

import (
	"context"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

const (
	listener = "tcp 127.0.0.1:8765 0.0.0.0:0 LISTEN #1"
	synRecv  = "tcp 127.0.0.1:8765 127.0.0.1:40001 SYN_RECV #2"
)

// The kernel's PassiveOpens counts a connection when its handshake
// completes: a socket sampled in SYN_RECV counts once it moves on to any
// state but CLOSE, and never when it goes away (or is reset) before.
func TestPollerHalfOpenCountedWhenHandshakeCompletes(t *testing.T) {
	for _, c := range []struct {
		name  string
		after []string // the samples after the one that sees it in SYN_RECV
		want  uint64   // reportedTCP at the end
	}{
		{"gone before completing", []string{listener, listener}, 0},
		{"reset (CLOSE)", []string{"tcp 127.0.0.1:8765 127.0.0.1:40001 CLOSE #2", listener}, 0},
		{"still in SYN_RECV", []string{synRecv}, 0},
		{"completed", []string{"tcp 127.0.0.1:8765 127.0.0.1:40001 ESTABLISHED #2"}, 1},
		{"completed, then closed", []string{
			"tcp 127.0.0.1:8765 127.0.0.1:40001 ESTABLISHED #2",
			"tcp 127.0.0.1:8765 127.0.0.1:40001 CLOSE_WAIT #2", listener}, 1},
		{"completed as a new socket (another cookie)", []string{"tcp 127.0.0.1:8765 127.0.0.1:40001 ESTABLISHED #3"}, 1},
		{"completed and closing before the next sample", []string{"tcp 127.0.0.1:8765 127.0.0.1:40001 FIN_WAIT1 #2"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			steps := []scriptStep{ok(snap(t, at(0), listener)), ok(snap(t, at(1), listener, synRecv))}
			for i, spec := range c.after {
				specs := []string{listener}
				if spec != listener {
					specs = append(specs, spec)
				}
				steps = append(steps, ok(snap(t, at(2+i), specs...)))
			}
			p, _ := newTestPoller(t, Config{}, steps...)
			for range steps {
				p.sample(ctx)
			}
			b := take(t, p)
			if b.ReportedTCP != c.want || b.ReportedTCPAtKernel != c.want {
				t.Errorf("ReportedTCP %d, at kernel %d; want %d", b.ReportedTCP, b.ReportedTCPAtKernel, c.want)
			}
			if b.Reported < 1 {
				t.Errorf("Reported %d: the SYN_RECV socket's open is still an open reported", b.Reported)
			}
		})
	}
}

// A release settles a socket sampled in SYN_RECV: one to TIME_WAIT had
// completed its handshake; one destroyed (CLOSE) had not. A socket known
// only from its release counts unless released still in SYN_RECV.
func TestPollerHalfOpenSettledByRelease(t *testing.T) {
	for _, c := range []struct {
		name    string
		release string
		seen    bool // sampled in SYN_RECV before the release
		want    uint64
	}{
		{"sampled, then to TIME_WAIT", "tcp 127.0.0.1:8765 127.0.0.1:40001 TIME_WAIT #2", true, 1},
		{"sampled, then destroyed", "tcp 127.0.0.1:8765 127.0.0.1:40001 CLOSE #2", true, 0},
		{"sampled, then released in SYN_RECV", synRecv, true, 0},
		{"seen at end in SYN_RECV", synRecv, false, 0},
		{"seen at end past the handshake", "tcp 127.0.0.1:8765 127.0.0.1:40001 ESTABLISHED #2", false, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			first := snap(t, at(1), listener)
			if c.seen {
				first = snap(t, at(1), listener, synRecv)
			}
			p, _ := newTestPoller(t, Config{}, ok(snap(t, at(0), listener)), ok(first), ok(snap(t, at(2), listener)))
			p.sample(ctx)
			p.sample(ctx)
			p.handleReleases(sampler.Release{Socket: sock(t, c.release), At: at(1).Add(500 * time.Millisecond)}, nil)
			b := take(t, p)
			if b.ReportedTCP != c.want {
				t.Errorf("after the release: ReportedTCP %d, want %d", b.ReportedTCP, c.want)
			}
			if b.ReportedTCPAtKernel != 0 {
				t.Errorf("after the release: at kernel %d, want 0 until the next sample", b.ReportedTCPAtKernel)
			}
			p.sample(ctx)
			b = take(t, p)
			if b.ReportedTCP != c.want || b.ReportedTCPAtKernel != c.want {
				t.Errorf("after the next sample: ReportedTCP %d, at kernel %d; want %d", b.ReportedTCP, b.ReportedTCPAtKernel, c.want)
			}
			if len(p.rec.audit.halfOpen) != 0 {
				t.Errorf("%d handshakes still tracked after the socket went", len(p.rec.audit.halfOpen))
			}
		})
	}
}

// A handshake in progress when porttop started completes after the
// kernel's counters were first read: the kernel counts it, so porttop does.
func TestPollerExistingHalfOpenCountedWhenCompleted(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPoller(t, Config{},
		ok(snap(t, at(0), listener, synRecv)),
		ok(snap(t, at(1), listener, "tcp 127.0.0.1:8765 127.0.0.1:40001 ESTABLISHED #2")),
	)
	p.sample(ctx)
	p.sample(ctx)
	if b := take(t, p); b.ReportedTCP != 1 || b.Reported != 0 {
		t.Errorf("ReportedTCP %d, Reported %d; want 1 completed handshake and no open reported", b.ReportedTCP, b.Reported)
	}
}
