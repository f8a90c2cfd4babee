package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/porttop/porttop/sampler"
)

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
