package ui

import (
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/churn"
	"github.com/porttop/porttop/ui/header"
	"github.com/porttop/porttop/ui/sockettable"
)

// tablePrep makes the table's rows of a batch, lingering closed rows
// merged in, the churn panel's digest of its machine-wide snapshot and the
// header's figures of it (wideFacts), on
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
	// eph is the OS ephemeral range as of the last Update, for the
	// header's figures.
	eph ports.Range
	dig churn.Digester
}

// prepared is what tablePrep made of a batch; any part may be nil.
type prepared struct {
	rows  *sockettable.Prepared
	churn *churn.Digest
	wide  *wideFacts
	cost  time.Duration // making them (see frameFor)
}

// wideFacts are the header's figures of a machine-wide snapshot, each a
// pass over the whole table: made off the UI goroutine for the ephemeral
// range eph, and taken in as they are unless the batch changed the range
// (see stats.observe).
type wideFacts struct {
	eph        ports.Range
	counts     header.Counts
	fullest    header.Fullest
	hasFullest bool
	listeners  sampler.Listeners
}

// tell records the table's settings, the churn panel and the ephemeral
// range for the next batch.
func (p *tablePrep) tell(s sockettable.Settings, ch churn.Model, eph ports.Range) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.set = s // with the table's lingering sockets, a map never written
	p.churn = ch
	p.eph = eph
}

func (p *tablePrep) told() (sockettable.Settings, churn.Model, ports.Range) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.set, p.churn, p.eph
}

// prepare makes the rows of b's table snapshot, when b has one, and the
// churn panel's digest of its machine-wide snapshot, when it has one.
func (p *tablePrep) prepare(b live.Batch) prepared {
	var out prepared
	if p == nil {
		return out
	}
	start := p.now()
	if b.TableKept { // events alone: the table, header and panels keep theirs
		out.cost = p.now().Sub(start)
		return out
	}
	set, ch, eph := p.told()
	if b.Show == live.ShowWide || b.Show == live.ShowFocused {
		out.rows = p.rows.PrepareBatch(b.Snapshot.Sockets, b.Events, start, set)
	}
	if w := b.Wide; w != nil && !w.ExistingToCome { // a part: see Model.applyPart
		f := &wideFacts{eph: eph}
		socks := w.Snapshot.Sockets
		f.listeners.Reset(socks)
		f.counts = header.TallyNetns(socks, eph, w.NetnsRanges)
		f.fullest, f.hasFullest = header.FullestNamespace(socks, w.NetnsRanges)
		out.wide = f
		out.churn = ch.SetNetnsRanges(w.NetnsRanges).Digest(socks, &f.listeners, &p.dig)
	}
	out.cost = p.now().Sub(start)
	return out
}
