package sockdiag

import "testing"

func TestSockstatCount(t *testing.T) {
	for _, c := range []struct {
		name          string
		sockstat, six string
		want          int
	}{
		{"linux", "sockets: used 24\nTCP: inuse 4 orphan 2 tw 41879 alloc 20014 mem 379\nUDP: inuse 3 mem 0\nUDPLITE: inuse 9\nRAW: inuse 7\nFRAG: inuse 0 memory 0\n",
			"TCP6: inuse 5\nUDP6: inuse 6\nUDPLITE6: inuse 0\nRAW6: inuse 1\nFRAG6: inuse 0 memory 0\n", 4 + 41879 + 3 + 5 + 6},
		{"no IPv6", "TCP: inuse 10 orphan 0 tw 0 alloc 12 mem 1\nUDP: inuse 2 mem 1\n", "", 12},
		{"empty", "", "", 0},
		{"garbage", "TCP: inuse x tw -5 orphan\nUDP inuse 4\n", "", 0},
	} {
		if got := sockstatCount([]byte(c.sockstat), []byte(c.six)); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
