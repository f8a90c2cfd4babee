package ui

import (
	"testing"
)

// FuzzFilterLine types anything into the `/` line and presses Enter: the
// model must not panic, and a rejected filter must leave the old one.
func FuzzFilterLine(f *testing.F) {
	for _, s := range []string{"22", "port:99999", "proc:", "tcp udp listen", "1-", "-5", "ephemeral 443", "pid:x", "\x00", "22,,443", "65535-0"} {
		f.Add(s)
	}
	c := &clock{t: t0}
	base := newTestModel(f, c, 100, 30)
	base = update(base, firstBatch(t0, baseSockets()))
	base = update(base, append(keys("/22"), enter())...)
	f.Fuzz(func(t *testing.T, text string) {
		m := update(base, keys("/ ")...) // the line opens holding "22"
		m = update(m, keys(text)...)
		m = update(m, enter())
		if m.status.isErr && m.filter.String() != "22" {
			t.Fatalf("rejected %q but the filter became %q", text, m.filter.String())
		}
		_ = m.View()
	})
}
