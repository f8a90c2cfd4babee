package poll

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// TIME_WAIT: a release that reports a socket gone to TIME_WAIT is a state
// change at once; the sample that still lists it in TIME_WAIT says nothing
// new, and the one without it closes it.

func TestTimeWaitRelease(t *testing.T) {
	tw := strings.Replace(sockA, "ESTABLISHED", "TIME_WAIT", 1)
	runScript(t,
		sample{0, []string{sockA}},
		want{"open 127.0.0.1:40001 #1 existing"},
		release{1, tw},
		want{"state 127.0.0.1:40001 #1 ESTABLISHED->TIME_WAIT"},
		sample{2, []string{tw}}, // the sample agrees: nothing new
		want{},
		sample{3, nil}, // TIME_WAIT over
		inspect(func(t *testing.T, events []sampler.Event) {
			if got := lines(events); len(got) != 1 || got[0] != "close 127.0.0.1:40001 #1" {
				t.Fatalf("events %q, want A's close", got)
			}
			if events[0].Held != 3*time.Second {
				t.Errorf("held %v, want 3s from first seen", events[0].Held)
			}
		}),
	)
}

// A socket that opened and reached TIME_WAIT between two samples is opened
// by its release, once.
func TestTimeWaitReleaseOfUnseenSocket(t *testing.T) {
	tw := strings.Replace(sockB, "ESTABLISHED", "TIME_WAIT", 1)
	runScript(t,
		sample{0, nil},
		release{1, tw},
		want{"open 127.0.0.1:40002 #2 seen-at-end"},
		sample{2, []string{tw}}, // sees it in TIME_WAIT: already reported
		want{},
		sample{3, nil},
		want{"close 127.0.0.1:40002 #2"},
		check(func(t *testing.T, r *Reconciler) {
			if got := r.Audit().Reported; got != 1 {
				t.Errorf("Reported = %d, want 1", got)
			}
		}),
	)
}

// A socket the last sample saw held goes to TIME_WAIT, as its release
// reports: the state event names its owner as gone, as the next sample's
// copy of it does (no process holds a TIME_WAIT socket).
func TestTimeWaitFromAReleaseHasItsOwnerGone(t *testing.T) {
	const est = "tcp 127.0.0.1:40001 127.0.0.1:8080 ESTABLISHED #1"
	first := snap(t, at(0), est)
	first.Sockets[0].PID, first.Sockets[0].Process, first.Sockets[0].Inode = 44, "curl", 9001
	runScript(t,
		sampleOf{snap: first},
		want{"open 127.0.0.1:40001 #1 existing"},
		release{1, "tcp 127.0.0.1:40001 127.0.0.1:8080 TIME_WAIT #1"},
		inspect(func(t *testing.T, events []sampler.Event) {
			if len(events) != 1 || events[0].Kind != sampler.StateChanged {
				t.Fatalf("events %q, want one state change", lines(events))
			}
			if s := events[0].Socket; s.State != sampler.StateTimeWait || s.PID != 44 || !s.Owner.Gone || s.Inode != 0 {
				t.Errorf("state event to TIME_WAIT: %v pid %d gone %v inode %d, want TIME_WAIT pid 44 gone, no inode", s.State, s.PID, s.Owner.Gone, s.Inode)
			}
		}),
	)
}

// A client that closes before its server is orphaned in FIN_WAIT2: the
// kernel frees it for a timewait socket in FIN_WAIT2, and its release says
// so. The stream reads ESTABLISHED -> FIN_WAIT2 -> TIME_WAIT, never
// TIME_WAIT -> FIN_WAIT2 (issue 10 item 4).
func TestOrphanedFinWait2IsNoTimeWait(t *testing.T) {
	const (
		est  = "tcp 127.0.0.1:40001 127.0.0.1:9002 ESTABLISHED #1"
		fin2 = "tcp 127.0.0.1:40001 127.0.0.1:9002 FIN_WAIT2 #1"
		tw   = "tcp 127.0.0.1:40001 127.0.0.1:9002 TIME_WAIT #1"
	)
	runScript(t,
		sample{0, []string{est}},
		want{"open 127.0.0.1:40001 #1 existing"},
		release{1, fin2},
		want{"state 127.0.0.1:40001 #1 ESTABLISHED->FIN_WAIT2"},
		sample{2, []string{fin2}},
		want{},
		sample{3, []string{tw}}, // the server closed: its FIN came
		want{"state 127.0.0.1:40001 #1 FIN_WAIT2->TIME_WAIT"},
		sample{4, nil},
		want{"close 127.0.0.1:40001 #1"},
	)
}

// The kernel was asked while the socket was in FIN_WAIT2, and a sample saw
// it in TIME_WAIT before the release reached the reconciler: the release
// is old news, not a step back.
func TestLateFinWait2ReleaseAfterTimeWaitSample(t *testing.T) {
	const (
		est  = "tcp 127.0.0.1:40001 127.0.0.1:9002 ESTABLISHED #1"
		fin2 = "tcp 127.0.0.1:40001 127.0.0.1:9002 FIN_WAIT2 #1"
		tw   = "tcp 127.0.0.1:40001 127.0.0.1:9002 TIME_WAIT #1"
	)
	runScript(t,
		sample{0, []string{est}},
		sample{2, []string{tw}},
		want{"open 127.0.0.1:40001 #1 existing", "state 127.0.0.1:40001 #1 ESTABLISHED->TIME_WAIT"},
		release{1, fin2},
		want{},
		sample{3, []string{tw}},
		want{},
	)
}
