package sockdiag

import "testing"

func TestParseStatStart(t *testing.T) {
	tail := " S 1 100 100 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 1234 56 18446744073709551615"
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"100 (nginx)" + tail, 987654, true},
		{"100 (a (b) c)" + tail, 987654, true}, // a name with spaces and parentheses
		{"100 (nginx) S 1 2", 0, false},        // cut short
		{"100 nginx S", 0, false},
		{"", 0, false},
		{"100 (x) S 1 100 100 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 notanumber", 0, false},
	} {
		got, ok := parseStatStart([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("parseStatStart(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
