package sampler

import (
	"slices"
	"testing"
)

// SameRows tells a table taken from a new one by its array, not its
// sockets: equal sockets in another array, or a shorter view of the same
// one, are not the same rows.
func TestSameRows(t *testing.T) {
	table := make([]Socket, 3)
	copied := slices.Clone(table)
	for _, c := range []struct {
		name string
		a, b []Socket
		want bool
	}{
		{"the same table", table, table, true},
		{"equal sockets, another array", table, copied, false},
		{"a shorter view of the same array", table, table[:2], false},
		{"the same array further on", table[1:], table[1:], true},
		{"two empty tables", nil, table[:0], true},
	} {
		if got := SameRows(c.a, c.b); got != c.want {
			t.Errorf("%s: SameRows %v, want %v", c.name, got, c.want)
		}
	}
}
