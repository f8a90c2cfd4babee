package ui

import (
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/ui/churn"
	"github.com/porttop/porttop/ui/sockettable"
)

// tablePrep makes the table's rows of a batch, lingering closed rows
// merged in, and the churn panel's digest of its machine-wide snapshot, on
// the command goroutine that waited for it (see nextBatch), so the UI
// goroutine takes them as they are: a keypress never waits behind a
// 100k-row sort or merge.
// The model tells it the table's order and filter after each Update; a
// batch prepared under settings changed meanwhile is still right to show
// (the table selects the rows on screen in the new order, see
// sockettable.Model.SortLater) or, after a filter change, is made again.
type tablePrep struct {
	rows sockettable.Preparer
	now  func() time.Time // the model's clock, for the cost (see frameFor)

	mu  sync.Mutex
	set sockettable.Settings
	// churn is the panel as of the last Update: Digest reads only its
	// range and threshold.
	churn churn.Model
	dig   churn.Digester
}

// prepared is what tablePrep made of a batch; either part may be nil.
type prepared struct {
	rows  *sockettable.Prepared
	churn *churn.Digest
	cost  time.Duration // making them (see frameFor)
}

// tell records the table's settings and the churn panel for the next
// batch.
func (p *tablePrep) tell(s sockettable.Settings, ch churn.Model) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set = s // with the table's lingering sockets, a map never written
	p.churn = ch
}

func (p *tablePrep) told() (sockettable.Settings, churn.Model) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.set, p.churn
}

// prepare makes the rows of b's table snapshot, when b has one, and the
// churn panel's digest of its machine-wide snapshot, when it has one.
func (p *tablePrep) prepare(b live.Batch) prepared {
	var out prepared
	if p == nil {
		return out
	}
	start := p.now()
	set, ch := p.told()
	if b.Show == live.ShowWide || b.Show == live.ShowFocused {
		out.rows = p.rows.PrepareBatch(b.Snapshot.Sockets, b.Events, start, set)
	}
	if w := b.Wide; w != nil {
		var l sampler.Listeners
		l.Reset(w.Snapshot.Sockets)
		out.churn = ch.SetNetnsRanges(w.NetnsRanges).Digest(w.Snapshot.Sockets, &l, &p.dig)
	}
	out.cost = p.now().Sub(start)
	return out
}
