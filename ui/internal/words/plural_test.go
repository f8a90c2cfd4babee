package words

import "testing"

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "sockets"}, {1, "socket"}, {2, "sockets"}} {
		if got := Plural(c.n, "socket"); got != c.want {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Plural(uint64(1), "port"); got != "port" {
		t.Errorf("Plural(uint64 1) = %q", got)
	}
}
