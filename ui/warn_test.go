package ui

import (
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// Config.Warn (--warn) sets the share of the ephemeral range one
// destination may hold before the header and churn panel warn: 100 ports
// of 28,232 is under the default 50% but over a --warn of 0.1%.
func TestWarnThresholdFromConfig(t *testing.T) {
	socks := baseSockets()
	for i := range 100 {
		socks = append(socks, sock(sampler.TCP, "10.0.0.5:"+strconv.Itoa(40000+i), "10.0.0.9:5432",
			sampler.StateEstablished, 4000, "psql", t0))
	}
	for _, tc := range []struct {
		warn float64
		want bool
	}{{0, false}, {0.001, true}} {
		c := &clock{t: t0}
		cfg := testConfig(c)
		cfg.Warn = tc.warn
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		m = update(m, tea.WindowSizeMsg{Width: 120, Height: 30}, firstBatch(t0, socks))
		warned := strings.Contains(m.View(), "tcp 10.0.0.9:5432 holds 100 local ports")
		if warned != tc.want {
			t.Errorf("warn %v: warned %v, want %v:\n%s", tc.warn, warned, tc.want, m.View())
		}
	}
}
