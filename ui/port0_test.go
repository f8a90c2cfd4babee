package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Port 0 is no port anything holds: a listener's empty remote end
// (0.0.0.0:0) does not make it "in use", and the one-port view says what
// port 0 means instead of calling it free and "only for programs asking for
// it by number".
func TestPortZeroIsNeverInUse(t *testing.T) {
	c := &clock{t: t0}
	m := newTestModel(t, c, 100, 30)
	listener := sock(sampler.TCP, "127.0.0.1:8080", "0.0.0.0:0", sampler.StateListen, 1500, "python3", t0.Add(-time.Minute))
	m = update(m, firstBatch(t0, []sampler.Socket{listener}))
	m = update(m, append(keys("/0"), enter())...)
	v := m.View()
	for _, want := range []string{"No socket holds port 0", "port 0 itself is never handed out"} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Errorf("one-port view of port 0 lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "only a program asking for it by number") || strings.Contains(v, "Port 0 is free now") {
		t.Errorf("one-port view of port 0 calls it an ordinary free port:\n%s", v)
	}
	text := strings.Join(strings.Fields(m.explainText(explainTarget{port: 0}, 100)), " ")
	if strings.Contains(text, "is in use") || !strings.Contains(text, "no socket holds port 0") {
		t.Errorf("explain 0 beside a listener:\n%s", text)
	}
}
