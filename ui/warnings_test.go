package ui

import (
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
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

// The range narrowed to 100 ports (60000-60099) and a client looping to a
// local server until connect() fails with EADDRNOTAVAIL: the header and
// the churn panel say why, the range is full for that destination, even
// with --warn 100% (no share is over it), and the panel marks it FULL.
func TestRangeFullSaidInHeaderAndChurn(t *testing.T) {
	c := &clock{t: t0}
	cfg := testConfig(c)
	cfg.Ephemeral = ports.Range{Lo: 60000, Hi: 60099}
	cfg.Warn = 1
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	socks := []sampler.Socket{sock(sampler.TCP, "127.0.0.1:9000", "", sampler.StateListen, 10, "server", t0)}
	for i := range 100 {
		socks = append(socks, sock(sampler.TCP, "127.0.0.1:"+strconv.Itoa(60000+i), "127.0.0.1:9000",
			sampler.StateTimeWait, 20, "client", t0))
	}
	m = update(m, tea.WindowSizeMsg{Width: 300, Height: 40}, firstBatch(t0, socks))
	m = update(m, keys("c")...)
	v := m.View()
	for _, want := range []string{
		"! tcp 127.0.0.1:9000 holds all 100 ports of the ephemeral range 60000-60099: the range is full for it, so a new connect() to it can fail with EADDRNOTAVAIL",
		"⚠ FULL tcp 127.0.0.1:9000",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("screen lacks %q:\n%s", want, v)
		}
	}
}
