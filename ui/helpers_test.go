package ui

import (
	"context"
	"io"
	"net/netip"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/theme"
)

// t0 is the tests' fixed start time.
var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// clock is a settable time source for Config.Now.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// asciiRenderer prints no escape codes, as NO_COLOR does.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// idleFeed never yields a batch: tests send BatchMsg themselves.
type idleFeed struct{}

func (idleFeed) Next(ctx context.Context) (sampler.Batch, error) {
	<-ctx.Done()
	return sampler.Batch{}, ctx.Err()
}

func testConfig(c *clock) Config {
	return Config{
		Feed:            idleFeed{},
		OS:              "linux",
		Host:            "testhost",
		Ephemeral:       ports.Range{Lo: 32768, Hi: 60999},
		EphemeralSource: "/proc/sys/net/ipv4/ip_local_port_range",
		Interval:        time.Second,
		Renderer:        asciiRenderer(),
		Palette:         theme.Default,
		Now:             c.Now,
	}
}

func sock(proto sampler.Proto, local, remote string, state sampler.State, pid int32, proc string, since time.Time) sampler.Socket {
	s := sampler.Socket{
		ID:    sampler.ID{Proto: proto, Local: netip.MustParseAddrPort(local)},
		State: state,
		Owner: sampler.Owner{PID: pid, Process: proc, UID: -1}, // uid unknown: the explain text would look the user up on this machine
		Since: since,
	}
	if remote != "" {
		s.Remote = netip.MustParseAddrPort(remote)
	}
	return s
}

// baseSockets is a small machine: a web server, ssh, DNS, a couple of clients.
func baseSockets() []sampler.Socket {
	return []sampler.Socket{
		sock(sampler.TCP, "0.0.0.0:22", "", sampler.StateListen, 812, "sshd", t0.Add(-time.Hour)),
		sock(sampler.TCP, "0.0.0.0:8080", "", sampler.StateListen, 1500, "python3", t0.Add(-10*time.Minute)),
		sock(sampler.TCP, "10.0.0.5:22", "10.0.0.9:51234", sampler.StateEstablished, 2040, "sshd", t0.Add(-5*time.Minute)),
		sock(sampler.TCP, "10.0.0.5:41822", "140.82.112.3:443", sampler.StateEstablished, 3100, "git", t0.Add(-20*time.Second)),
		sock(sampler.UDP, "127.0.0.53:53", "", sampler.StateNone, 640, "systemd-resolve", t0.Add(-2*time.Hour)),
		sock(sampler.TCP, "[::1]:5432", "", sampler.StateListen, 900, "postgres", t0.Add(-3*time.Hour)),
	}
}

// firstBatch is porttop's first sample: everything already there.
func firstBatch(now time.Time, socks []sampler.Socket) BatchMsg {
	ev := make([]sampler.Event, len(socks))
	for i, s := range socks {
		ev[i] = sampler.Event{Kind: sampler.Opened, Time: now, Socket: s, Existing: true}
	}
	return BatchMsg{sampler.Batch{
		Snapshot: sampler.Snapshot{Time: now, Sockets: socks},
		Events:   ev, Cost: 1200 * time.Microsecond, Interval: time.Second, Samples: 1, Source: "netlink",
	}}
}

// nextBatchMsg is a later sample with its events.
func nextBatchMsg(now time.Time, socks []sampler.Socket, events ...sampler.Event) BatchMsg {
	return BatchMsg{sampler.Batch{
		Snapshot: sampler.Snapshot{Time: now, Sockets: socks},
		Events:   events, Cost: 900 * time.Microsecond, Interval: time.Second, Samples: 1, Source: "netlink",
	}}
}

// newTestModel builds a model sized w x h.
func newTestModel(t testing.TB, c *clock, w, h int) Model {
	t.Helper()
	m, err := New(testConfig(c))
	if err != nil {
		t.Fatal(err)
	}
	return update(m, tea.WindowSizeMsg{Width: w, Height: h})
}

// update feeds messages straight to Update, dropping commands.
func update(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	return m
}

func keys(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}
