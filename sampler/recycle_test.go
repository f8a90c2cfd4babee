package sampler

import "testing"

// Refill takes a slice handed back while it has room for the table and a
// little more, and otherwise makes one with room to grow.
func TestRefillKeepsSpareWithRoom(t *testing.T) {
	spare := make([]Socket, 5, 1050)
	if got := Refill(spare, 1000); len(got) != 0 || cap(got) != 1050 || &got[:1][0] != &spare[0] {
		t.Errorf("room for 1000 and 1/32 more: got len %d cap %d, want the spare emptied", len(got), cap(got))
	}
	if got := Refill(spare, 1020); cap(got) != 1020+1020/8+16 {
		t.Errorf("too little room for 1020: got cap %d, want a new slice of %d", cap(got), 1020+1020/8+16)
	}
	if got := Refill(nil, 0); cap(got) != 16 {
		t.Errorf("nothing handed back, empty table: cap %d, want 16", cap(got))
	}
}
