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
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/eventfeed"
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

// scriptFeed is the view's feed in tests. It never yields a batch by
// itself: tests send steps (wideMsg, focusMsg) that update passes through
// its live.Merger, as live.Feed's Next does, and after each message update
// merges the filter the view set, recording the focus it asks for.
type scriptFeed struct {
	merger  live.Merger
	query   *sampler.Query // set by the view, not merged yet
	asked   []focusAsk
	recycle func(sampler.Snapshot) // nil: snapshots are not reused
}

// focusAsk is a focus the merge asked for.
type focusAsk struct {
	gen   uint64
	q     sampler.Query
	known live.Known
}

func (f *scriptFeed) Next(ctx context.Context) (live.Batch, error) {
	<-ctx.Done()
	return live.Batch{}, ctx.Err()
}

func (f *scriptFeed) SetQuery(q sampler.Query) { f.query = &q }

func (f *scriptFeed) Recycle(s sampler.Snapshot) {
	if f.recycle != nil {
		f.recycle(s)
	}
}

// wideMsg is a machine-wide batch as the poller yields it; focusMsg one of
// focus Gen. update passes both through the model's scriptFeed.
type wideMsg struct{ Batch sampler.Batch }

type focusMsg struct {
	Gen   uint64
	Batch sampler.Batch
}

// scriptOf is the model's scriptFeed.
func scriptOf(m Model) *scriptFeed {
	f, _ := m.cfg.Feed.(*scriptFeed)
	return f
}

// viewMsg is msg as the view gets it: a step merged into a BatchMsg (nil
// when the merge drops it); other messages as they are.
func viewMsg(m Model, msg tea.Msg) tea.Msg {
	f := scriptOf(m)
	switch msg := msg.(type) {
	case wideMsg:
		if f == nil {
			return BatchMsg{live.Alone(msg.Batch)}
		}
		return BatchMsg{f.merger.Wide(msg.Batch)}
	case focusMsg:
		if b, ok := f.merger.Focused(msg.Gen, msg.Batch); ok {
			return BatchMsg{b}
		}
		return nil
	}
	return msg
}

// merged applies the merge of the filter the view set last, if any, as
// the feed's next step would.
func merged(m Model) Model {
	f := scriptOf(m)
	if f == nil || f.query == nil {
		return m
	}
	q := *f.query
	f.query = nil
	out, ask := f.merger.Refocus(q)
	if ask.Gen != 0 {
		f.asked = append(f.asked, focusAsk{ask.Gen, ask.Query, ask.Known})
	}
	if out.Wide != nil || out.Show != live.ShowNothing || out.Reset || out.Err != nil {
		next, _ := m.Update(BatchMsg{out})
		m = next.(Model)
	}
	return m
}

func testConfig(c *clock) Config {
	return Config{
		Feed:            &scriptFeed{},
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
		Since: sampler.StampOf(since),
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
func firstBatch(now time.Time, socks []sampler.Socket) wideMsg {
	ev := make([]sampler.Event, len(socks))
	for i, s := range socks {
		ev[i] = sampler.Event{Kind: sampler.Opened, Time: now, Socket: s, Existing: true}
	}
	return wideMsg{sampler.Batch{
		Snapshot: sampler.Snapshot{Time: now, Sockets: socks},
		Events:   ev, Cost: 1200 * time.Microsecond, Interval: time.Second, Samples: 1, Source: "netlink",
	}}
}

// nextBatchMsg is a later sample with its events.
func nextBatchMsg(now time.Time, socks []sampler.Socket, events ...sampler.Event) wideMsg {
	return wideMsg{sampler.Batch{
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

// update feeds messages straight to Update, dropping commands; steps go
// through the model's scriptFeed first (see viewMsg, merged).
func update(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		if msg = viewMsg(m, msg); msg == nil {
			continue
		}
		next, _ := m.Update(msg)
		m = merged(next.(Model))
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

// The scripted run the golden tests replay: the machine of baseSockets,
// then curl connects from ephemeral port 54112, then curl's connection
// closes after 1.2s while git's goes to TIME_WAIT.

func curlSocket() sampler.Socket {
	return sock(sampler.TCP, "10.0.0.5:54112", "93.184.216.34:443", sampler.StateEstablished, 4000, "curl", t0)
}

// batchCurlOpens: curl's connection appears.
func batchCurlOpens() wideMsg {
	socks := append(baseSockets(), curlSocket())
	return nextBatchMsg(t0, socks, sampler.Event{Kind: sampler.Opened, Time: t0, Socket: curlSocket()})
}

// batchCurlClosesGitWaits: curl's connection is gone, git's is in TIME_WAIT.
func batchCurlClosesGitWaits() wideMsg {
	socks := baseSockets()
	prev := socks[3]
	socks[3].State = sampler.StateTimeWait
	socks[3].Owner.Gone = true // the poller carries git over as its last owner
	return nextBatchMsg(t0, socks,
		sampler.Event{Kind: sampler.Closed, Time: t0, Socket: curlSocket(), Held: 1200 * time.Millisecond},
		sampler.Event{Kind: sampler.StateChanged, Time: t0, Socket: socks[3], PrevState: prev.State},
	)
}

func enter() tea.Msg { return tea.KeyMsg{Type: tea.KeyEnter} }
func esc() tea.Msg   { return tea.KeyMsg{Type: tea.KeyEsc} }

// script joins messages and typed text into one list.
func script(parts ...any) []tea.Msg {
	var out []tea.Msg
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			out = append(out, keys(p)...)
		case tea.Msg:
			out = append(out, p)
		}
	}
	return out
}

// feedViewAt draws the feed alone as the model does: SetNow, Focus or
// Blur, then View.
func feedViewAt(f eventfeed.Model, now time.Time, focused bool) string {
	f.SetNow(now)
	if focused {
		f.Focus()
	} else {
		f.Blur()
	}
	return f.View()
}
