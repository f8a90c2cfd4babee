package poll

import (
	"testing"

	"github.com/porttop/porttop/sampler"
)

const (
	cli  = "127.0.0.1:40001"
	srv  = "127.0.0.1:80"
	cliE = "tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED #1"
)

func disagreements(n uint64) check {
	return func(t *testing.T, r *Reconciler) {
		t.Helper()
		if got := r.Disagreements(); got != n {
			t.Errorf("%d disagreements, want %d", got, n)
		}
	}
}

// A transition of a socket the table holds is its state change, at once and
// exactly; the next sample agreeing with it reports nothing again, and one
// further on reports only the rest.
func TestTransitionChangesStateOnce(t *testing.T) {
	runScript(t,
		sample{0, []string{cliE}},
		want{"open 127.0.0.1:40001 #1 existing"},
		transition{1, cli, srv, "ESTABLISHED", "FIN_WAIT1"},
		want{"state 127.0.0.1:40001 #1 ESTABLISHED->FIN_WAIT1"},
		transition{1, cli, srv, "FIN_WAIT1", "FIN_WAIT2"},
		want{"state 127.0.0.1:40001 #1 FIN_WAIT1->FIN_WAIT2"},
		sample{2, []string{"tcp 127.0.0.1:40001 127.0.0.1:80 FIN_WAIT2 #1"}},
		want{},
		transition{3, cli, srv, "FIN_WAIT2", "CLOSE"}, // to TIME_WAIT: the release tells
		want{},
		release{3, "tcp 127.0.0.1:40001 127.0.0.1:80 TIME_WAIT #1"},
		want{"state 127.0.0.1:40001 #1 FIN_WAIT2->TIME_WAIT"},
		sample{4, []string{"tcp 127.0.0.1:40001 127.0.0.1:80 TIME_WAIT #1"}},
		want{},
		disagreements(0),
	)
}

// Transitions that arrive after a sample (or release) already showed their
// result, or further on, report nothing and disagree with nothing.
func TestTransitionBehindTheTableIsNoNews(t *testing.T) {
	runScript(t,
		sample{0, []string{"tcp 127.0.0.1:40001 127.0.0.1:80 FIN_WAIT2 #1"}},
		want{"open 127.0.0.1:40001 #1 existing"},
		transition{1, cli, srv, "ESTABLISHED", "FIN_WAIT1"},
		transition{1, cli, srv, "FIN_WAIT1", "FIN_WAIT2"},
		want{},
		release{2, "tcp 127.0.0.1:40001 127.0.0.1:80 TIME_WAIT #1"},
		want{"state 127.0.0.1:40001 #1 FIN_WAIT2->TIME_WAIT"},
		transition{2, cli, srv, "FIN_WAIT2", "CLOSE"},
		want{},
		disagreements(0),
	)
}

// No guessing: a change TCP does not allow, or one from a state the table
// does not hold the socket in, changes nothing and is counted.
func TestTransitionDisagreementsCountedNotMerged(t *testing.T) {
	runScript(t,
		sample{0, []string{cliE}},
		want{"open 127.0.0.1:40001 #1 existing"},
		transition{1, cli, srv, "TIME_WAIT", "FIN_WAIT2"}, // outside TCP's state machine
		want{},
		disagreements(1),
		transition{1, cli, srv, "CLOSE_WAIT", "LAST_ACK"}, // the table says ESTABLISHED
		want{},
		disagreements(2),
		sample{2, []string{cliE}},
		want{},
		transition{3, cli, srv, "ESTABLISHED", "CLOSE_WAIT"},
		want{"state 127.0.0.1:40001 #1 ESTABLISHED->CLOSE_WAIT"},
		disagreements(2),
	)
}

// New sockets open with the sample that holds them (with their cookie), not
// from the transition; sockets the table never held are left to samples.
func TestTransitionOfUnknownSocketsWaitsForTheSample(t *testing.T) {
	runScript(t,
		sample{0, nil},
		transition{1, cli, srv, "CLOSE", "SYN_SENT"},
		transition{1, "127.0.0.1:40002", srv, "SYN_SENT", "ESTABLISHED"},
		want{},
		sample{2, []string{"tcp 127.0.0.1:40001 127.0.0.1:80 SYN_SENT #5"}},
		want{"open 127.0.0.1:40001 #5"},
		transition{3, cli, srv, "SYN_SENT", "ESTABLISHED"},
		want{"state 127.0.0.1:40001 #5 SYN_SENT->ESTABLISHED"},
		release{4, "tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED #5"},
		want{"close 127.0.0.1:40001 #5"},
		transition{4, cli, srv, "ESTABLISHED", "CLOSE"}, // released already
		want{},
		disagreements(0),
	)
}

// Before the first sample there is no table to reconcile with.
func TestTransitionBeforeFirstSample(t *testing.T) {
	r := NewReconciler(sampler.FirstSeen{})
	if ev := r.Transition(t0, sampler.Transition{Proto: sampler.TCP, From: sampler.StateEstablished, To: sampler.StateFinWait1}, nil); len(ev) != 0 || r.Disagreements() != 0 {
		t.Errorf("events %v, disagreements %d", ev, r.Disagreements())
	}
}
