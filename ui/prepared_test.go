package ui

import (
	"github.com/porttop/porttop/sampler/ports"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

// TestPreparedBatchesDrawTheSameScreens: batches whose table rows and
// churn digest were made off the UI goroutine (as nextBatch makes them)
// draw, step after step, the very screens of batches the model takes in
// whole, through sort keys pressed between them, cursor moves, a pause and
// a filter.
func TestPreparedBatchesDrawTheSameScreens(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 50))
	cw, cp := &clock{t: t0}, &clock{t: t0}
	whole, prep := newTestModel(t, cw, 160, 45), newTestModel(t, cp, 160, 45)
	socks := bigTable(3000)
	whole = update(whole, firstBatch(t0, socks))
	prep = update(prep, preparedOf(prep, firstBatch(t0, socks)))
	var next uint64
	steps := []string{"s", "j", "G", "k", " ", "s", "g", "/443\r", "\x1b"}
	for step := range 80 {
		var msgs []tea.Msg
		if rng.IntN(2) == 0 {
			var ev []sampler.Event
			socks, ev = churned(socks, 40+rng.IntN(40), &next, cw.t.Add(time.Second))
			cw.advance(time.Second)
			cp.advance(time.Second)
			msgs = append(msgs, nextBatchMsg(cw.t, socks, ev...))
		} else {
			k := steps[rng.IntN(len(steps))]
			if k == "\x1b" {
				msgs = append(msgs, tea.KeyMsg{Type: tea.KeyEsc})
			} else {
				for _, r := range k {
					if r == '\r' {
						msgs = append(msgs, enter())
					} else {
						msgs = append(msgs, keys(string(r))...)
					}
				}
			}
		}
		for _, msg := range msgs {
			whole = update(whole, msg)
			prep = update(prep, preparedOf(prep, msg))
		}
		if w, p := whole.View(), prep.View(); w != p {
			t.Fatalf("step %d (%q): the screens differ\nwhole:\n%s\nprepared:\n%s", step, msgs, w, p)
		}
	}
}

// TestPreparedDigestJudgesEachNamespaceByItsRange: the churn panel's
// digest made off the UI goroutine counts another namespace's sockets
// against that namespace's own range (Batch.NetnsRanges), as the panel
// does with a batch taken in whole: the screens match, and the other
// namespace's destination shows its range full.
func TestPreparedDigestJudgesEachNamespaceByItsRange(t *testing.T) {
	const other = 4026532999
	cw, cp := &clock{t: t0}, &clock{t: t0}
	whole, prep := newTestModel(t, cw, 160, 45), newTestModel(t, cp, 160, 45)
	socks := bigTable(300)
	for i := range socks[:100] {
		socks[i].Netns = other
		socks[i].Local = netip.AddrPortFrom(socks[i].Local.Addr(), uint16(20000+i%10))
		socks[i].Remote = netip.MustParseAddrPort("10.9.9.9:5432")
	}
	ranges := []sampler.NetnsRange{{Netns: other, NetnsName: "blue", Range: ports.Range{Lo: 20000, Hi: 20009}}}
	first := firstBatch(t0, socks)
	first.Batch.NetnsRanges = ranges
	next := nextBatchMsg(t0.Add(time.Second), socks)
	next.Batch.NetnsRanges = ranges
	for _, msg := range []tea.Msg{first, keys("c")[0], next} {
		cw.advance(time.Second)
		cp.advance(time.Second)
		whole = update(whole, msg)
		prep = update(prep, preparedOf(prep, msg))
	}
	w, p := whole.View(), prep.View()
	if w != p {
		t.Fatalf("the screens differ\nwhole:\n%s\nprepared:\n%s", w, p)
	}
	if !strings.Contains(p, "10.9.9.9:5432") {
		t.Fatalf("the other namespace's destination is not in the churn panel:\n%s", p)
	}
}
