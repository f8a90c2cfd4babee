package poll

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Releases: a socket the kernel reports released is closed at once, at the
// time of the report, once, and a sample read just before the report
// reached the reconciler does not open it again.

func TestReleaseClosesAtOnceAndGuardsReopen(t *testing.T) {
	runScript(t,
		sample{0, []string{sockA, sockB}},
		want{"open 127.0.0.1:40001 #1 existing", "open 127.0.0.1:40002 #2 existing"},
		release{1, sockA},
		inspect(func(t *testing.T, events []sampler.Event) {
			if got := lines(events); len(got) != 1 || got[0] != "close 127.0.0.1:40001 #1" {
				t.Fatalf("events %q, want A's close", got)
			}
			if events[0].Held != time.Second || !events[0].Time.Equal(at(1)) {
				t.Errorf("close held %v at %v, want 1s at %v", events[0].Held, events[0].Time, at(1))
			}
		}),
		release{1, sockA}, // a second report of the same release changes nothing
		want{},
		sample{2, []string{sockA, sockB}}, // read just before the release reached us: must not re-open A
		want{},
		check(func(t *testing.T, r *Reconciler) {
			for _, s := range r.Base().Sockets {
				if s.ID == sock(t, sockA).ID {
					t.Error("a released socket is back in the snapshot")
				}
			}
		}),
		sample{3, []string{sockB}}, // A gone: no second close
		want{},
		sample{9, []string{sockB}},
		want{},
		sample{10, []string{sockA, sockB}}, // the ID again, 9s after the release: the guard has expired, a new socket
		want{"open 127.0.0.1:40001 #1"},
	)

}

// A connection reset comes back from the kernel with its addresses
// cleared: it is matched by its cookie, and closed as it was sampled.
func TestReleaseMatchedByCookie(t *testing.T) {
	runScript(t,
		sample{0, []string{sockA, sockB}},
		want{"open 127.0.0.1:40001 #1 existing", "open 127.0.0.1:40002 #2 existing"},
		release{1, "tcp 0.0.0.0:40002 127.0.0.1:0 CLOSE #2"},
		inspect(func(t *testing.T, events []sampler.Event) {
			if got := lines(events); len(got) != 1 || got[0] != "close 127.0.0.1:40002 #2" {
				t.Fatalf("events %q, want B's close", got)
			}
			if events[0].Socket.Remote.Port() != 80 || events[0].SeenAtEnd {
				t.Errorf("the close should carry the socket as sampled, got %+v", events[0])
			}
		}),
		sample{2, []string{sockA, sockB}}, // read before the release: B must not re-open
		want{},
		sample{3, []string{sockA}},
		want{},
	)
}

// A release that comes after a sample already reported the close is not
// reported again.
func TestLateReleaseAfterSampleClose(t *testing.T) {
	runScript(t,
		sample{0, []string{sockA}},
		sample{1, nil},
		want{"open 127.0.0.1:40001 #1 existing", "close 127.0.0.1:40001 #1"},
		release{1, sockA},
		want{}, // a release after the sample's close is not reported again
	)
}

// A release outside the query was never in a sample, so is not "seen at
// end" either; one inside it (by port: its state at release does not
// matter) lived and died between samples.
func TestReleaseOutsideQuery(t *testing.T) {
	closing := sock(t, strings.Replace(sockB, "40002", "40001", 1))
	closing.Remote = sock(t, sockC).Remote
	closing.Cookie = 9
	closing.State = sampler.StateClose
	runScript(t,
		setQuery(sampler.Query{Ports: []sampler.PortRange{{Lo: 40001, Hi: 40001}}, States: sampler.MaskOf(sampler.StateEstablished)}),
		sample{0, []string{sockA}},
		want{"open 127.0.0.1:40001 #1 existing"},
		release{1, sockB},
		want{},
		releaseOf{rel: sampler.Release{Socket: closing, At: at(1)}},
		want{"open 127.0.0.1:40001 #9 seen-at-end", "close 127.0.0.1:40001 #9 seen-at-end"},
	)
}
