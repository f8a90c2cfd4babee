package procowner

import "testing"

func TestParseStat(t *testing.T) {
	tail := " S 1 100 100 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 1234 56 18446744073709551615"
	for _, c := range []struct {
		in    string
		name  string
		start uint64
		ok    bool
	}{
		{"100 (nginx)" + tail, "nginx", 987654, true},
		{"100 (a (b) c)" + tail, "a (b) c", 987654, true}, // a name with spaces and parentheses
		{"100 (nginx) S 1 2", "", 0, false},               // cut short
		{"100 nginx S", "", 0, false},
		{"", "", 0, false},
		{"100 (x) S 1 100 100 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 notanumber", "", 0, false},
	} {
		name, start, ok := parseStat([]byte(c.in))
		if name != c.name || start != c.start || ok != c.ok {
			t.Errorf("parseStat(%q) = %q, %d, %v; want %q, %d, %v", c.in, name, start, ok, c.name, c.start, c.ok)
		}
	}
}
