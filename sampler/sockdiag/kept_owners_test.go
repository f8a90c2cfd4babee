package sockdiag

import (
	"context"
	"slices"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// A filtered sample keeps the owners of the rows it leaves out. When they
// may have changed (an owner exec'd or exited: OwnersDue), it reads the
// whole table instead, attributed whole, and says it is not filtered.
func TestSampleKeptIsWholeWhenOwnersAreDue(t *testing.T) {
	k := newFakeKernel(t, fakeTable(t)...)
	s := k.mustSource(t.TempDir())
	owners := s.owners.(*fakeOwners)
	leaveOut := func(s *sampler.Socket) bool { return s == nil }
	snap, filtered, err := s.SampleKept(context.Background(), leaveOut)
	if err != nil || !filtered || len(snap.Sockets) != 0 {
		t.Fatalf("owners not due: %d rows, filtered %v, %v; want none, filtered", len(snap.Sockets), filtered, err)
	}
	owners.due = true
	calls := owners.calls
	snap, filtered, err = s.SampleKept(context.Background(), leaveOut)
	if err != nil || filtered {
		t.Fatalf("owners due: filtered %v, %v; want a whole sample", filtered, err)
	}
	if got := cookies(snap.Sockets); !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("owners due: cookies %v, want the whole table", got)
	}
	if owners.calls != calls+1 || snap.Sockets[0].Process != "fake" {
		t.Errorf("owners due: %d attributions, first row %q; want the whole table attributed", owners.calls-calls, snap.Sockets[0].Process)
	}
}
