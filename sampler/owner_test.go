package sampler

import "testing"

// The owner rules, one step each; diff_test.go, poller_release_owner_test.go,
// poller_firstseen_test.go and record's tests check them where they are used.
func TestOwnerInherit(t *testing.T) {
	curl := Owner{PID: 42, UID: 1000, Process: "curl", Start: 777}
	for _, c := range []struct {
		name    string
		now     Owner
		earlier Owner
		held    bool
		want    Owner
	}{
		{"closed by its program: gone", Owner{UID: 1000}, curl, false, Owner{PID: 42, UID: 1000, Process: "curl", Start: 777, Gone: true}},
		{"TIME_WAIT lacks the uid too", Owner{UID: -1}, curl, false, Owner{PID: 42, UID: 1000, Process: "curl", Start: 777, Gone: true}},
		{"held by a file: only unseen now", Owner{UID: 1000}, curl, true, Owner{PID: 42, UID: 1000, Process: "curl", Start: 777}},
		{"an owner of its own is kept", Owner{PID: 43, UID: 1001, Process: "wget", Start: 5}, curl, false, Owner{PID: 43, UID: 1001, Process: "wget", Start: 5}},
		{"nothing earlier", Owner{UID: -1}, Owner{UID: -1}, false, Owner{UID: -1}},
		{"a uid alone", Owner{UID: -1}, Owner{UID: 7}, false, Owner{UID: 7}},
		{"a name without a pid is not an owner", Owner{UID: -1}, Owner{UID: -1, Process: "x"}, false, Owner{UID: -1}},
	} {
		if got := c.now.Inherit(c.earlier, c.held); got != c.want {
			t.Errorf("%s: %+v.Inherit(%+v, %v) = %+v, want %+v", c.name, c.now, c.earlier, c.held, got, c.want)
		}
	}
}

func TestOwnerGoneByState(t *testing.T) {
	for _, c := range []struct {
		o    Owner
		st   State
		want bool
	}{
		{Owner{PID: 42}, StateTimeWait, true},     // no process holds a TIME_WAIT socket
		{Owner{}, StateTimeWait, false},           // gone says nothing without a pid
		{Owner{Gone: true}, StateFinWait1, false}, // likewise
		{Owner{PID: 42, Gone: true}, StateFinWait1, true},
		{Owner{PID: 42}, StateEstablished, false},
	} {
		if got := c.o.In(c.st); got.Gone != c.want || got.Departed() != c.want {
			t.Errorf("%+v.In(%v) = %+v (departed %v), want gone %v", c.o, c.st, got, got.Departed(), c.want)
		}
	}
	if r := (Owner{PID: 42, Process: "curl"}).Released(); !r.Gone || r.PID != 42 || r.Process != "curl" {
		t.Errorf("released to TIME_WAIT: %+v, want curl 42 gone", r)
	}
	if r := (Owner{}).Released(); r.Gone {
		t.Errorf("released with no owner known: %+v, want not gone", r)
	}
}

func TestOwnerLabel(t *testing.T) {
	for _, c := range []struct {
		o    Owner
		want string
	}{
		{Owner{PID: 42, Process: "curl"}, "curl"},
		{Owner{PID: 42, Process: "curl", Gone: true}, "(curl)"},
		{Owner{PID: 42, Gone: true}, ""},
		{Owner{}, ""},
	} {
		if got := c.o.Label(); got != c.want {
			t.Errorf("%+v.Label() = %q, want %q", c.o, got, c.want)
		}
	}
}
