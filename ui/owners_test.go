package ui

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/poll"
)

// hidingSource is a source that, like an unprivileged sampler, cannot see
// other users' processes.
type hidingSource struct{}

func (hidingSource) Name() string { return "hiding" }
func (hidingSource) Sample(context.Context) (sampler.Snapshot, error) {
	return sampler.Snapshot{Time: time.Now()}, nil
}
func (hidingSource) OwnersHidden() (bool, string) { return true, "run as root to see them" }

// TestPollerSaysOwnersHidden: the real poller tells the table, beside the
// header's note, when its source hides other users' processes.
func TestPollerSaysOwnersHidden(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := poll.New(poll.Config{Source: hidingSource{}, Interval: 10 * time.Millisecond})
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	b, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !b.OwnersHidden || !slices.ContainsFunc(b.Notes, func(n string) bool { return strings.HasPrefix(n, "owners hidden: ") }) {
		t.Errorf("batch OwnersHidden %v, notes %q; want hidden, with the note", b.OwnersHidden, b.Notes)
	}
}

// hiddenOwnerBatch is an unprivileged first sample: a socket of another
// user (an inode, no process), one in TIME_WAIT (no inode: no process holds
// it) and one of this user's own.
func hiddenOwnerBatch() wideMsg {
	other := sock(sampler.TCP, "127.0.0.1:8765", "", sampler.StateListen, 0, "", t0.Add(-time.Minute))
	other.Inode = 91234
	waiting := sock(sampler.TCP, "127.0.0.1:38100", "127.0.0.1:8765", sampler.StateTimeWait, 0, "", t0.Add(-9*time.Second))
	// In TIME_WAIT after curl closed it: the poller carried its last owner.
	waited := sock(sampler.TCP, "127.0.0.1:38104", "127.0.0.1:8765", sampler.StateTimeWait, 5150, "curl", t0.Add(-8*time.Second))
	waited.Owner.Gone = true
	mine := sock(sampler.TCP, "127.0.0.1:38112", "127.0.0.1:8765", sampler.StateEstablished, 5151, "curl", t0.Add(-3*time.Second))
	mine.Inode = 91240
	b := firstBatch(t0, []sampler.Socket{other, waiting, waited, mine})
	b.Batch.Notes = []string{"owners hidden: run as root or with CAP_SYS_PTRACE to see other users' processes"}
	b.Batch.OwnersHidden = true
	return b
}

// processCells maps each table row's LOCAL to its PROCESS cell.
func processCells(t *testing.T, view string) map[string]string {
	t.Helper()
	lines := strings.Split(view, "\n")
	cells := map[string]string{}
	for i, line := range lines {
		head := []rune(line)
		start := strings.Index(string(head), "PROCESS")
		if start < 0 || !strings.Contains(line, "LOCAL") {
			continue
		}
		start = len([]rune(string(head)[:start])) // in cells, not bytes
		end := start + len("PROCESS")
		for end < len(head) && head[end] == ' ' {
			end++
		}
		for _, text := range lines[i+1:] {
			row, f := []rune(text), strings.Fields(text)
			if len(row) < end || len(f) < 3 {
				break
			}
			local := f[1]
			if f[0] == ">" || f[0] == "e" || f[0] == "+" {
				local = f[2]
			}
			cells[local] = strings.TrimSpace(string(row[start:end]))
		}
		return cells
	}
	t.Fatalf("no table header in:\n%s", view)
	return nil
}

// TestHiddenOwnerIsNotBlank: a socket whose owner is hidden shows "?" in
// PROCESS, a TIME_WAIT socket (no owner at all) stays blank or names its
// last owner in parentheses, and the legend and help say what "?" and the
// parentheses mean; with owners visible nothing shows "?".
func TestHiddenOwnerIsNotBlank(t *testing.T) {
	m := update(newTestModel(t, &clock{t: t0}, 100, 30), hiddenOwnerBatch())
	want := map[string]string{"127.0.0.1:8765": "?", "127.0.0.1:38100": "", "127.0.0.1:38104": "(curl)", "127.0.0.1:38112": "curl"}
	if got := processCells(t, m.View()); !maps.Equal(got, want) {
		t.Errorf("owners hidden: PROCESS cells %q, want %q\n%s", got, want, m.View())
	}
	if !strings.Contains(m.helpText(100), "? in PROCESS: owner hidden") || !strings.Contains(m.legendLine(), "? in PROCESS: owner hidden") {
		t.Error("the help or the legend does not say what ? means")
	}
	if !strings.Contains(m.helpText(100), "(name) in PROCESS: no process holds the socket now") {
		t.Error("the help does not say what a name in parentheses means")
	}
	visible := hiddenOwnerBatch()
	visible.Batch.Notes, visible.Batch.OwnersHidden = nil, false
	m = update(newTestModel(t, &clock{t: t0}, 100, 30), visible)
	want["127.0.0.1:8765"] = ""
	if got := processCells(t, m.View()); !maps.Equal(got, want) {
		t.Errorf("owners visible: PROCESS cells %q, want %q", got, want)
	}
	if strings.Contains(m.legendLine(), "owner hidden") {
		t.Error("owners visible, yet the legend explains ?")
	}
}
