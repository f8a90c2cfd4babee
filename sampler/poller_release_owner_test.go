package sampler

import (
	"context"
	"testing"
)

// A socket the last sample saw held goes to TIME_WAIT, as its release
// reports: the state event names its owner as gone, as the next sample's
// copy of it does (no process holds a TIME_WAIT socket).
func TestTimeWaitFromAReleaseHasItsOwnerGone(t *testing.T) {
	ctx := context.Background()
	const est = "tcp 127.0.0.1:40001 127.0.0.1:8080 ESTABLISHED #1"
	first := snap(t, at(0), est)
	first.Sockets[0].PID, first.Sockets[0].Process, first.Sockets[0].Inode = 44, "curl", 9001
	p, _ := newTestPoller(t, PollerConfig{}, ok(first))
	p.sample(ctx)
	take(t, p)
	p.handleReleases(Release{Socket: sock(t, "tcp 127.0.0.1:40001 127.0.0.1:8080 TIME_WAIT #1"), At: at(1)}, nil)
	b := take(t, p)
	if len(b.Events) != 1 || b.Events[0].Kind != StateChanged {
		t.Fatalf("events %q, want one state change", kinds(b.Events))
	}
	if s := b.Events[0].Socket; s.State != StateTimeWait || s.PID != 44 || !s.Owner.Gone || s.Inode != 0 {
		t.Errorf("state event to TIME_WAIT: %v pid %d gone %v inode %d, want TIME_WAIT pid 44 gone, no inode", s.State, s.PID, s.Owner.Gone, s.Inode)
	}
}
