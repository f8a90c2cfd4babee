package churn

import (
	"io"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/style"
	"github.com/porttop/porttop/ui/theme"
)

var (
	linuxEphemeral = ports.Range{Lo: 32768, Hi: 60999} // 28,232 ports
	scriptStart    = time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)
)

func plainStyles() Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return NewStyles(style.New(r, theme.Default))
}

func event(kind sampler.EventKind, s sampler.Socket, at time.Time) sampler.Event {
	return sampler.Event{Kind: kind, Time: at, Socket: s}
}

// clients is n sockets from consecutive local ports starting at first to
// remote, in state.
func clients(first, n int, remote string, state sampler.State) []sampler.Socket {
	out := make([]sampler.Socket, n)
	r := netip.MustParseAddrPort(remote)
	for i := range out {
		out[i] = sampler.Socket{
			ID:    sampler.ID{Proto: sampler.TCP, Local: netip.AddrPortFrom(netip.MustParseAddr("10.0.0.2"), uint16(first+i)), Remote: r},
			State: state,
			Owner: sampler.Owner{UID: -1},
		}
	}
	return out
}

func TestObserveBucketsEvents(t *testing.T) {
	m := New(plainStyles(), linuxEphemeral, 0.5)
	s := clients(40000, 1, "10.0.0.5:5432", sampler.StateEstablished)[0]
	existing := event(sampler.Opened, s, scriptStart)
	existing.Existing = true
	// Second 0: one existing socket (not a hand-out), two hand-outs.
	m = m.Observe(sampler.Snapshot{}, []sampler.Event{
		existing,
		event(sampler.Opened, s, scriptStart.Add(100*time.Millisecond)),
		event(sampler.Opened, s, scriptStart.Add(900*time.Millisecond)),
	}, scriptStart.Add(900*time.Millisecond))
	// Second 2, two seconds on: events of second 1 count there; the sample's
	// own (stamped in second 2, or after now) are spread over seconds 1 and
	// 2; one too old for the history is dropped, a state change not counted.
	m = m.Observe(sampler.Snapshot{}, []sampler.Event{
		event(sampler.Opened, s, scriptStart.Add(1500*time.Millisecond)),
		event(sampler.Closed, s, scriptStart.Add(1600*time.Millisecond)),
		event(sampler.Closed, s, scriptStart.Add(2100*time.Millisecond)),
		event(sampler.Closed, s, scriptStart.Add(9*time.Second)),
		event(sampler.Closed, s, scriptStart.Add(-time.Hour)),
		{Kind: sampler.StateChanged, Time: scriptStart.Add(2 * time.Second), Socket: s},
	}, scriptStart.Add(2200*time.Millisecond))

	h := &m.s.hist
	if got, want := h.series(10, func(b *bucket) uint32 { return b.handOuts }), []uint32{2, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("hand-outs per second = %v; want %v", got, want)
	}
	if got, want := h.series(10, func(b *bucket) uint32 { return b.releases }), []uint32{0, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("releases per second = %v; want %v", got, want)
	}
}

func TestObserveGaugesAndWarnings(t *testing.T) {
	var socks []sampler.Socket
	socks = append(socks, clients(32768, 16210, "10.0.0.5:5432", sampler.StateEstablished)...) // 57% of the range
	socks = append(socks, clients(50000, 300, "10.0.0.9:443", sampler.StateTimeWait)...)
	socks = append(socks, clients(1000, 2, "10.0.0.9:443", sampler.StateTimeWait)...) // below the range
	// A second local address reusing ports: more sockets, not more ports.
	dup := clients(32768, 10, "10.0.0.6:80", sampler.StateEstablished)
	for i := range dup {
		dup[i].Local = netip.AddrPortFrom(netip.MustParseAddr("10.0.0.3"), dup[i].Local.Port())
	}
	socks = append(socks, dup...)

	tests := []struct {
		threshold    float64
		wantWarnings []string
	}{
		{0.5, []string{"tcp 10.0.0.5:5432 holds 16,210 local ports: 57% of the ephemeral range 32768-60999"}},
		{0.6, nil},
		{0, []string{"tcp 10.0.0.5:5432 holds 16,210 local ports: 57% of the ephemeral range 32768-60999"}}, // invalid: default 0.5
		{0.01, []string{
			"tcp 10.0.0.5:5432 holds 16,210 local ports: 57% of the ephemeral range 32768-60999",
			// The 2 ports below the range are not the range's to share.
			"tcp 10.0.0.9:443 holds 300 local ports: 1% of the ephemeral range 32768-60999",
		}},
	}
	for _, tt := range tests {
		m := New(plainStyles(), linuxEphemeral, tt.threshold).Observe(sampler.Snapshot{Sockets: socks}, nil, scriptStart)
		if got := m.Warnings(); !slices.Equal(got, tt.wantWarnings) {
			t.Errorf("threshold %v: Warnings = %q; want %q", tt.threshold, got, tt.wantWarnings)
		}
		b := m.s.hist.at(scriptStart.Unix())
		if b.timeWait != 302 || b.ephemeral != 16210+300 {
			t.Errorf("threshold %v: TIME_WAIT %d, ephemeral in use %d; want 302, %d", tt.threshold, b.timeWait, b.ephemeral, 16210+300)
		}
	}
}

func TestWarningsClearWhenPressureGoes(t *testing.T) {
	m := New(plainStyles(), linuxEphemeral, 0.5)
	m = m.Observe(sampler.Snapshot{Sockets: clients(32768, 15000, "10.0.0.5:5432", sampler.StateEstablished)}, nil, scriptStart)
	if len(m.Warnings()) != 1 {
		t.Fatalf("Warnings = %q; want one", m.Warnings())
	}
	m = m.Observe(sampler.Snapshot{Sockets: clients(32768, 100, "10.0.0.5:5432", sampler.StateEstablished)}, nil, scriptStart.Add(time.Second))
	if w := m.Warnings(); len(w) != 0 {
		t.Errorf("after the pool shrank, Warnings = %q; want none", w)
	}
}

func TestEmptyEphemeralRange(t *testing.T) {
	m := New(plainStyles(), ports.Range{Lo: 2, Hi: 1}, 0.5)
	m = m.Observe(sampler.Snapshot{Sockets: clients(40000, 50, "10.0.0.5:5432", sampler.StateEstablished)}, nil, scriptStart)
	if w := m.Warnings(); len(w) != 0 {
		t.Errorf("with no ephemeral range, Warnings = %q; want none", w)
	}
	out := viewAt(m, 80, 12)
	if out == "" {
		t.Error("empty view")
	}
}

func TestObserveStartsOverWhenTimeGoesBack(t *testing.T) {
	m := New(plainStyles(), linuxEphemeral, 0.5)
	s := clients(40000, 1, "10.0.0.5:5432", sampler.StateEstablished)[0]
	later := scriptStart.Add(time.Hour)
	for i := 0; i < 3; i++ {
		now := later.Add(time.Duration(i) * time.Second)
		m = m.Observe(sampler.Snapshot{}, []sampler.Event{event(sampler.Opened, s, now)}, now)
	}
	// A step back of a second or two is a clock adjustment: history kept.
	m = m.Observe(sampler.Snapshot{}, nil, later.Add(time.Second))
	if m.s.hist.n != 3 {
		t.Errorf("after a small step back, %d seconds held; want 3", m.s.hist.n)
	}
	// A replay restarting an hour earlier starts a new history.
	m = m.Observe(sampler.Snapshot{}, []sampler.Event{event(sampler.Opened, s, scriptStart)}, scriptStart)
	got := m.s.hist.series(10, func(b *bucket) uint32 { return b.handOuts })
	if !slices.Equal(got, []uint32{1}) {
		t.Errorf("after time went back an hour, hand-outs = %v; want [1]", got)
	}
}
