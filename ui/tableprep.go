package ui

import (
	"sync"

	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/ui/sockettable"
)

// tablePrep makes the table's rows of a batch on the command goroutine
// that waited for it (see nextBatch), so the UI goroutine only merges in
// the few lingering rows: a keypress never waits behind a 100k-row sort.
// The model tells it the table's order and filter after each Update; a
// batch prepared under settings changed meanwhile is still right to show
// (the table selects the rows on screen in the new order, see
// sockettable.Model.SortLater) or, after a filter change, is made again.
type tablePrep struct {
	rows sockettable.Preparer

	mu  sync.Mutex
	set sockettable.Settings
}

// tell records the table's settings for the next batch.
func (p *tablePrep) tell(s sockettable.Settings) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.set.Sort != s.Sort || p.set.Filter != s.Filter {
		p.set = s
	}
}

func (p *tablePrep) settings() sockettable.Settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.set
}

// prepare makes the rows of b's table snapshot, when b has one.
func (p *tablePrep) prepare(b live.Batch) *sockettable.Prepared {
	if p == nil || (b.Show != live.ShowWide && b.Show != live.ShowFocused) {
		return nil
	}
	return p.rows.Prepare(b.Snapshot.Sockets, p.settings())
}
