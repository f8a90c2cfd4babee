package poll

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// tableSource is a fake sampler.EventTable source: a kernel whose TCP table
// changes by connections made and closed, each told by its transitions
// (with cookie and opener) as it happens, and whose dumps show that table.
// Its clock moves 100 ms at each Sample, as a poller sampling every 100 ms
// would see it; the connections of that interval are made during the
// sample, their transitions queued before the dump returns. It records
// each Sample: when, and whether asked for UDP alone.
type tableSource struct {
	mu    sync.Mutex
	clock time.Time
	query sampler.Query
	out   chan<- sampler.Transition
	// outB, burst: transitions sent in batches (batchTable), of up to
	// burstOf, the last of a tick's as its dump returns.
	outB  chan<- []sampler.Transition
	burst []sampler.Transition
	// spare: batches handed back (recyclingTable), filled again;
	// recycled counts them.
	spareMu  sync.Mutex
	spare    [][]sampler.Transition
	recycled int
	tcp      map[uint64]sampler.Socket
	udp      []sampler.Socket
	cookie   uint64
	complete bool
	samples  []sampleCall
	opened   int
	// perTick connections each Sample; onSample runs at each, after them
	// (to drop records, add a socket no event tells of, stop the test).
	perTick  int
	onSample func(s *tableSource)
	end      time.Time // no connections made from then on
	// poller, when set, is given the poller before it runs.
	poller func(p *Poller)
}

type sampleCall struct {
	at      time.Time
	udpOnly bool
	query   sampler.Query
}

func (s *tableSource) Name() string { return "table" }

func (s *tableSource) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock
}

func (s *tableSource) SetQuery(q sampler.Query) {
	s.mu.Lock()
	s.query = q
	s.mu.Unlock()
}

func (s *tableSource) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.out == nil && s.outB == nil { // the poller subscribes as it starts: wait for it
		s.mu.Unlock()
		time.Sleep(time.Millisecond)
		s.mu.Lock()
	}
	udpOnly := s.query.States == sampler.MaskOf(sampler.StateNone)
	s.samples = append(s.samples, sampleCall{s.clock, udpOnly, s.query})
	s.clock = s.clock.Add(100 * time.Millisecond)
	if s.clock.Before(s.end) {
		for range s.perTick {
			s.churn()
		}
	}
	if s.onSample != nil {
		s.onSample(s)
	}
	s.flush()
	snap := sampler.Snapshot{Time: s.clock, Sockets: append([]sampler.Socket(nil), s.udp...)}
	if !udpOnly {
		for _, c := range s.tcp {
			snap.Sockets = append(snap.Sockets, c)
		}
		s.complete = true // a full dump re-bases the table
	}
	return snap, nil
}

// churn makes one connection and closes the one made before it, if still
// open: the table holds one connection between samples.
func (s *tableSource) churn() {
	s.cookie++
	c := sampler.Socket{
		ID: sampler.ID{Cookie: s.cookie, Proto: sampler.TCP,
			Local:  netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(30000+s.cookie%30000)),
			Remote: netip.MustParseAddrPort("127.0.0.1:80")},
		Owner: sampler.Owner{PID: 99, UID: 1000, Process: "client"}, State: sampler.StateEstablished,
	}
	s.tell(c, sampler.StateClose, sampler.StateSynSent)
	s.tell(c, sampler.StateSynSent, sampler.StateEstablished)
	s.tcp[c.Cookie] = c
	s.opened++
	if old, ok := s.tcp[c.Cookie-1]; ok {
		s.tell(old, sampler.StateEstablished, sampler.StateClose)
		delete(s.tcp, old.Cookie)
	}
}

func (s *tableSource) tell(c sampler.Socket, from, to sampler.State) {
	t := sampler.Transition{At: s.clock, Proto: sampler.TCP, Cookie: c.Cookie, Local: c.Local, Remote: c.Remote, From: from, To: to}
	if from == sampler.StateClose {
		t.Opener = c.Owner
	}
	if s.outB == nil {
		s.out <- t // buffered well past a tick's transitions
		return
	}
	if s.burst = append(s.burst, t); len(s.burst) == burstOf {
		s.flush()
	}
}

// burstOf is the most transitions a batchTable sends in one batch: an
// odd size, so that batches straddle connections.
const burstOf = 7

// flush sends a batchTable's transitions not sent yet.
func (s *tableSource) flush() {
	if len(s.burst) > 0 {
		s.outB <- s.burst // buffered well past a tick's batches
		s.burst = nil     // the receiver's now
		s.spareMu.Lock()
		if n := len(s.spare); n > 0 {
			s.burst, s.spare = s.spare[n-1], s.spare[:n-1]
		}
		s.spareMu.Unlock()
	}
}

// batchTable is a tableSource sending its transitions in batches
// (sampler.BatchWatcher), as the ebpf source does.
type batchTable struct{ *tableSource }

func (b batchTable) WatchTransitionBatches(ctx context.Context, out chan<- []sampler.Transition, failed chan<- sampler.PortFailure) error {
	b.mu.Lock()
	b.outB = out
	b.mu.Unlock()
	<-ctx.Done()
	return nil
}

// recyclingTable is a batchTable that takes its batches back
// (sampler.BatchRecycler), as the ebpf source does: it scribbles over each
// (a receiver still reading one would see it) and fills it again.
type recyclingTable struct{ batchTable }

func (r recyclingTable) RecycleBatch(b []sampler.Transition) {
	for i := range b {
		b[i] = sampler.Transition{Cookie: 1 << 60, From: sampler.StateTimeWait, To: sampler.StateSynSent}
	}
	r.spareMu.Lock()
	r.spare = append(r.spare, b[:0])
	r.recycled++
	r.spareMu.Unlock()
}

func (s *tableSource) WatchTransitions(ctx context.Context, out chan<- sampler.Transition, failed chan<- sampler.PortFailure) error {
	s.mu.Lock()
	s.out = out
	s.mu.Unlock()
	<-ctx.Done()
	return nil
}

func (s *tableSource) Lost() uint64 { return 0 }

func (s *tableSource) CompleteTransitions() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.complete
}

// runTableSource runs a poller over src until src's clock passes end,
// and returns every event and the last batch.
func runTableSource(t *testing.T, src *tableSource, end time.Time) ([]sampler.Event, sampler.Batch) {
	t.Helper()
	events, last, _ := runTableSourceWith(t, src, end, Config{}, nil)
	return events, last
}

// runTableSourceWith is runTableSource with a config (its Source, Interval
// and Now are set here), also returning the times of the tables published.
func runTableSourceWith(t *testing.T, src *tableSource, end time.Time, cfg Config, q *sampler.Query) ([]sampler.Event, sampler.Batch, []time.Time) {
	t.Helper()
	src.clock, src.tcp, src.end = t0, map[uint64]sampler.Socket{}, end
	src.udp = []sampler.Socket{sock(t, "udp 127.0.0.1:5353 0.0.0.0:0 NONE #900000")}
	if cfg.Source == nil { // else a wrapper of src
		cfg.Source = src
	}
	cfg.Interval, cfg.Now = time.Millisecond, src.now
	p := New(cfg)
	if q != nil {
		p.SetQuery(*q)
	}
	if src.poller != nil {
		src.poller(p)
	}
	var tables []time.Time
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	var events []sampler.Event
	var last sampler.Batch
	// Past end, until the table is checked once more: every transition
	// made before end has been reconciled by then.
	for src.now().Before(end.Add(CheckEvery + time.Second)) {
		wait, stop := context.WithTimeout(ctx, 10*time.Millisecond)
		b, err := p.Next(wait)
		stop()
		if ctx.Err() != nil {
			t.Fatalf("Next: %v", ctx.Err())
		}
		if err != nil {
			continue // nothing changed
		}
		events = append(events, b.Events...)
		last = b
		if n := len(tables); n == 0 || !tables[n-1].Equal(b.Snapshot.Time) {
			tables = append(tables, b.Snapshot.Time)
		}
		p.Recycle(b.Snapshot)
	}
	cancel()
	<-done
	if b, ok := p.pending.take(); ok {
		events = append(events, b.Events...)
		last = b
	}
	return events, last, tables
}

// fullSamples are the times of the samples of the whole table, up to
// CheckEvery and a second after the end (the poller may run on a little
// further before the test stops it).
func (s *tableSource) fullSamples() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var full []time.Duration
	for _, c := range s.samples {
		if !c.udpOnly && !c.at.After(s.end.Add(CheckEvery+time.Second)) {
			full = append(full, c.at.Sub(t0))
		}
	}
	return full
}

// With complete transitions the poller samples the whole table once to
// start with and then every CheckEvery, however many connections a tick
// sees (here 50, 500 a second): each tick takes UDP alone. Every connection
// is reported, opened by its transition with its process, and the checks
// agree with the events. Transitions one by one, and in batches.
func TestEventTableChurnTakesNoFullSamplePerTick(t *testing.T) {
	t.Run("one by one", func(t *testing.T) { churnTakesNoFullSamplePerTick(t, false, false) })
	t.Run("in batches", func(t *testing.T) { churnTakesNoFullSamplePerTick(t, true, false) })
	t.Run("in batches handed back", func(t *testing.T) { churnTakesNoFullSamplePerTick(t, true, true) })
}

func churnTakesNoFullSamplePerTick(t *testing.T, batched, recycled bool) {
	src := &tableSource{complete: true, perTick: 50}
	cfg := Config{}
	switch {
	case recycled:
		cfg.Source = recyclingTable{batchTable{src}}
	case batched:
		cfg.Source = batchTable{src}
	}
	events, last, _ := runTableSourceWith(t, src, t0.Add(30*time.Second), cfg, nil)
	if batched && src.outB == nil {
		t.Fatal("the poller did not take the transitions in batches")
	}
	if src.spareMu.Lock(); recycled && src.recycled == 0 {
		t.Error("the poller handed no batch back")
	}
	src.spareMu.Unlock()
	full := src.fullSamples()
	var want []time.Duration // from the first, every CheckEvery to the end and one more
	for d := time.Duration(0); d <= 30*time.Second+CheckEvery; d += CheckEvery {
		want = append(want, d)
	}
	if len(full) != len(want) {
		t.Fatalf("full samples at %v, want %v", full, want)
	}
	for i := range want {
		if d := full[i] - want[i]; d < 0 || d > 100*time.Millisecond {
			t.Fatalf("full samples at %v, want %v", full, want)
		}
	}
	if n, min := len(src.samples), int((30*time.Second+CheckEvery)/(100*time.Millisecond)); n < min {
		t.Errorf("%d samples, want at least %d 100 ms ticks", n, min)
	}
	opens, named, existing := 0, 0, 0
	for _, e := range events {
		if e.Kind == sampler.Opened && e.Socket.Proto == sampler.TCP && e.Existing {
			existing++ // the one open as the first dump ran
		}
		if e.Kind == sampler.Opened && e.Socket.Proto == sampler.TCP && !e.Existing {
			opens++
			if e.Socket.Process == "client" && e.Socket.PID == 99 {
				named++
			}
		}
	}
	src.mu.Lock()
	made := src.opened
	src.mu.Unlock()
	if opens+existing != made || existing != 1 || named != opens {
		t.Errorf("%d opens reported (%d named, %d existing) of %d made", opens, named, existing, made)
	}
	if last.Disagreements != 0 {
		t.Errorf("%d disagreements; notes %q", last.Disagreements, last.Notes)
	}
}

// When the kernel drops records the poller samples the whole table at once,
// and the check period starts again from that sample. A socket no event
// told of is found by the next check: counted and said in the header.
func TestEventTableFallsBackAndChecksCountDisagreements(t *testing.T) {
	src := &tableSource{complete: true, perTick: 5}
	dropAt := CheckEvery + 2*time.Second
	src.onSample = func(s *tableSource) {
		switch d := s.clock.Sub(t0); {
		case d == dropAt:
			s.complete = false // records dropped
		case d == dropAt+CheckEvery/2:
			c := sampler.Socket{ID: sampler.ID{Cookie: 1 << 40, Proto: sampler.TCP,
				Local: netip.MustParseAddrPort("127.0.0.1:1234"), Remote: netip.MustParseAddrPort("127.0.0.1:80")}, State: sampler.StateEstablished}
			s.tcp[c.Cookie] = c // opened with no transition
		}
	}
	end := dropAt + 2*CheckEvery
	_, last := runTableSource(t, src, t0.Add(end))
	full := src.fullSamples()
	// 0, CheckEvery; dropAt (records dropped: the flag is seen after the
	// sample that dropped them, 100 ms before), then every CheckEvery
	// from it.
	want := []time.Duration{0, CheckEvery}
	for d := dropAt; d <= end+CheckEvery; d += CheckEvery {
		want = append(want, d)
	}
	if len(full) != len(want) {
		t.Fatalf("full samples at %v, want %v", full, want)
	}
	for i := range want {
		if d := full[i] - want[i]; d < 0 || d > 100*time.Millisecond {
			t.Fatalf("full samples at %v, want %v", full, want)
		}
	}
	if last.Disagreements != 1 || len(last.Notes) == 0 ||
		last.Notes[len(last.Notes)-1] != "1 difference between the kernel's events and a check of its table: the check's taken" {
		t.Errorf("disagreements %d, notes %q", last.Disagreements, last.Notes)
	}
}

// A consumer that reads the table rarely (TableEvery) gets every event as
// it comes, and a table at most that often between checks.
func TestEventTableTableEvery(t *testing.T) {
	src := &tableSource{complete: true, perTick: 10}
	events, _, tables := runTableSourceWith(t, src, t0.Add(10*time.Second), Config{TableEvery: time.Second}, nil)
	checkTableASecond(t, src, events, tables)
}

// checkEveryOpenReported checks that events report every TCP socket src
// opened.
func checkEveryOpenReported(t *testing.T, src *tableSource, events []sampler.Event) {
	t.Helper()
	opens := 0
	for _, e := range events {
		if e.Kind == sampler.Opened && e.Socket.Proto == sampler.TCP {
			opens++
		}
	}
	src.mu.Lock()
	made := src.opened
	src.mu.Unlock()
	if opens != made {
		t.Errorf("%d opens reported of %d made", opens, made)
	}
}

// checkTableASecond checks a 10 s run of runTableSourceWith for a
// consumer served a table at most once a second: every open reported,
// and no two tables less than a second apart but beside the checks'.
func checkTableASecond(t *testing.T, src *tableSource, events []sampler.Event, tables []time.Time) {
	t.Helper()
	checkEveryOpenReported(t, src, events)
	// 16 s in all: a table a second, and the checks' (every 5 s) beside.
	if len(tables) > 16+4+1 || len(tables) < 10 {
		t.Errorf("%d tables published: %v", len(tables), tables)
	}
	for i := 1; i < len(tables); i++ {
		if d := tables[i].Sub(tables[i-1]); d < 900*time.Millisecond && tables[i].Sub(t0)%CheckEvery > 100*time.Millisecond {
			t.Errorf("tables at %v then %v", tables[i-1].Sub(t0), tables[i].Sub(t0))
		}
	}
}

// A consumer that does not read the table after the first batch
// (NoTableTicks: watch without stats lines) gets every event as it comes,
// and no table but the full samples' (the first, the checks').
func TestEventTableNoTableTicks(t *testing.T) {
	src := &tableSource{complete: true, perTick: 10}
	events, _, tables := runTableSourceWith(t, src, t0.Add(12*time.Second), Config{TableEvery: NoTableTicks}, nil)
	opens, closes := 0, 0
	for _, e := range events {
		if e.Socket.Proto != sampler.TCP {
			continue
		}
		switch e.Kind {
		case sampler.Opened:
			opens++
		case sampler.Closed:
			closes++
		}
	}
	src.mu.Lock()
	made := src.opened
	src.mu.Unlock()
	if opens != made || closes == 0 {
		t.Errorf("%d opens reported of %d made, %d closes", opens, made, closes)
	}
	full := map[time.Duration]bool{}
	for _, at := range src.fullSamples() {
		full[at+100*time.Millisecond] = true // the source's clock moves on as it samples
	}
	if len(tables) < 2 {
		t.Fatalf("tables at %v: want the first sample's and a check's at least", tables)
	}
	for _, at := range tables {
		if !full[at.Sub(t0)] {
			t.Errorf("a table published at %v, not a full sample's (%v)", at.Sub(t0), src.fullSamples())
		}
	}
}

// A consumer that takes batches every 2 s (the live view on a big table)
// and hands each back once it took the next gets every event, and a table
// built once per take, just before it: fresh (it was up to half the pace
// old, 900 ms at the median here), and never a table built and replaced
// unread. Back at its own pace, a table every tick again.
func TestEventTableFollowsTheConsumersPace(t *testing.T) {
	src := &tableSource{complete: true, perTick: 10}
	src.poller = func(p *Poller) { p.SetTakenEvery(2 * time.Second) }
	end := t0.Add(12 * time.Second)
	takes, events, built := runPacedConsumer(t, src, end, 2*time.Second)
	checkEveryOpenReported(t, src, events)
	full := map[time.Duration]bool{}
	for _, at := range src.fullSamples() {
		full[at+100*time.Millisecond] = true // the source's clock moves on as it samples
	}
	taken := 0 // while connections came: a table to build for each
	for _, tk := range takes {
		if tk.at.Before(end) {
			taken++
		}
	}
	if built > taken+1 {
		t.Errorf("%d tables built by ticks for %d takes while the table changed", built, taken)
	}
	var ages []time.Duration
	for _, tk := range takes {
		if full[tk.table.Sub(t0)] || tk.at.Sub(t0) < 3*time.Second || tk.at.Sub(t0) >= CheckEvery {
			continue // a full sample's table, the poller still learning the pace, or a check's
		}
		ages = append(ages, tk.at.Sub(tk.table))
	}
	if len(ages) < 3 {
		t.Fatalf("%d tick tables taken: %+v", len(ages), takes)
	}
	slices.Sort(ages)
	t.Logf("tick tables %v old when taken", ages)
	if med := ages[len(ages)/2]; med > 500*time.Millisecond { // a tick or two; a machine busy with other tests makes it more
		t.Errorf("tick tables %v old when taken (median %v), want a table built just before its take", ages, med)
	}

	src = &tableSource{complete: true, perTick: 10}
	src.poller = func(p *Poller) { p.SetTakenEvery(2 * time.Second); p.SetTakenEvery(0) }
	_, _, tables := runTableSourceWith(t, src, t0.Add(3*time.Second), Config{}, nil)
	if len(tables) < 15 { // paced, it would be one a second: 9 or 10
		t.Errorf("back at its own pace, %d tables in 9 s of ticks", len(tables))
	}
}

// A paced consumer's tables are built in the memory of the one it handed
// back: ticks do not hand it to the source's UDP-only samples, so no new
// whole table is made per take beside the one shown and the source's idle
// spare. Between two checks (each a table of the source's own), the tick
// tables taken use two arrays in turn.
func TestEventTablePacedTablesReuseTheOneHandedBack(t *testing.T) {
	src := &tableSource{complete: true, perTick: 10}
	src.poller = func(p *Poller) { p.SetTakenEvery(2 * time.Second) }
	takes, _, built := runPacedConsumer(t, src, t0.Add(25*time.Second), 2*time.Second)
	full := map[time.Duration]bool{}
	for _, at := range src.fullSamples() {
		full[at+100*time.Millisecond] = true
	}
	arrays := map[*sampler.Socket]bool{}
	ticks := 0
	for _, tk := range takes {
		if full[tk.table.Sub(t0)] || tk.buf == nil {
			continue
		}
		ticks++
		arrays[tk.buf] = true
	}
	t.Logf("%d tick tables taken (%d built) in %d arrays; %d full samples", ticks, built, len(arrays), len(src.fullSamples()))
	if ticks < 6 {
		t.Fatalf("%d tick tables taken: %+v", ticks, takes)
	}
	if limit := 2 + len(src.fullSamples()); len(arrays) > limit {
		t.Errorf("%d tick tables taken in %d arrays, want at most %d (two, and one more per full sample)", ticks, len(arrays), limit)
	}
}

// At a check's dump a paced consumer's poller and the consumer hold one
// whole table: the one shown. The dump makes a whole table of its own;
// begun while a table built for the next take waited beside the one shown
// (the consumer hands that back only once it has taken the new one and
// made its rows), or with the table kept for the next build idle beside
// them, it was the third alive: the live view's peak (BIG=1, ~110k
// sockets, every check). The consumer here takes every 2 s and hands the
// table it showed back 1.5 s after it took the next, so that most of the
// time two tables are out.
func TestEventTablePacedCheckBesideOneTable(t *testing.T) {
	src := &tableSource{complete: true, perTick: 10}
	var p *Poller
	src.poller = func(q *Poller) { p = q; q.SetTakenEvery(2 * time.Second) }
	var held []int // at each check's dump: tables held, and kept free
	src.onSample = func(s *tableSource) {
		if s.query.States == sampler.MaskOf(sampler.StateNone) || len(s.samples) == 1 {
			return // a tick's UDP-only sample, or the first
		}
		held = append(held, p.refs.heldTables()+ownFree(p))
	}
	takes, _, _ := runSlowConsumer(t, src, t0.Add(45*time.Second), 2*time.Second, 1500*time.Millisecond)
	src.mu.Lock()
	defer src.mu.Unlock()
	t.Logf("%d takes; whole tables held or kept at each check's dump: %v", len(takes), held)
	if len(held) < 4 {
		t.Fatalf("%d checks, want 4 at least", len(held))
	}
	for i, n := range held {
		if n > 1 {
			t.Errorf("check %d: %d whole tables of the poller's or the consumer's beside its dump, want the one shown", i+1, n)
		}
	}
}

// ownFree counts the free tables p built itself.
func ownFree(p *Poller) int {
	p.refs.mu.Lock()
	defer p.refs.mu.Unlock()
	n := 0
	for _, f := range p.refs.free {
		if f.own && cap(f.buf) > 0 {
			n++
		}
	}
	return n
}

// pacedTake is one batch a paced consumer took: when (by the source's
// clock), and its table's time.
type pacedTake struct {
	at, table time.Time
	buf       *sampler.Socket // the table's memory (bufKey)
}

// runPacedConsumer runs a poller over src as runTableSourceWith does, its
// consumer taking a batch every (by the source's clock) and handing each
// batch's snapshot back once it took the next, as the live view does.
// It also returns how many tables ticks built.
func runPacedConsumer(t *testing.T, src *tableSource, end time.Time, every time.Duration) ([]pacedTake, []sampler.Event, int) {
	t.Helper()
	return runSlowConsumer(t, src, end, every, 0)
}

// runSlowConsumer is runPacedConsumer with a consumer that hands each
// batch's snapshot back handBack after it took the next (by the source's
// clock), as the live view does once it has made the new one's rows.
func runSlowConsumer(t *testing.T, src *tableSource, end time.Time, every, handBack time.Duration) ([]pacedTake, []sampler.Event, int) {
	t.Helper()
	src.clock, src.tcp, src.end = t0, map[uint64]sampler.Socket{}, end
	src.udp = []sampler.Socket{sock(t, "udp 127.0.0.1:5353 0.0.0.0:0 NONE #900000")}
	p := New(Config{Source: src, Interval: time.Millisecond, Now: src.now})
	src.poller(p)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	var takes []pacedTake
	var events []sampler.Event
	var prev, out *sampler.Batch // out: shown before prev, handed back at backAt
	var backAt time.Time
	due := t0
	for src.now().Before(end.Add(CheckEvery + time.Second)) {
		now := src.now()
		if out != nil && !now.Before(backAt) {
			p.Recycle(out.Snapshot)
			out = nil
		}
		if now.Before(due) {
			time.Sleep(100 * time.Microsecond)
			continue
		}
		wait, stop := context.WithTimeout(ctx, 10*time.Millisecond)
		b, err := p.Next(wait)
		stop()
		if ctx.Err() != nil {
			t.Fatalf("Next: %v", ctx.Err())
		}
		if err != nil {
			continue // nothing changed
		}
		due = now.Add(every)
		events = append(events, b.Events...)
		takes = append(takes, pacedTake{now, b.Snapshot.Time, bufKey(b.Snapshot.Sockets)})
		if prev != nil {
			if out != nil {
				p.Recycle(out.Snapshot)
			}
			out, backAt = prev, now.Add(handBack)
		}
		prev = &b
	}
	cancel()
	<-done
	return takes, events, p.tickTables
}

// The UDP-only samples keep the user's protocols and ports (a source keeps
// its release reports to them) and add the state UDP sockets are in; every
// full sample is taken under the user's query as it was.
func TestEventTableUDPSamplesKeepTheQuery(t *testing.T) {
	src := &tableSource{complete: true, perTick: 1}
	q := sampler.Query{Ports: []sampler.PortRange{{Lo: 1, Hi: 65535}}}
	runTableSourceWith(t, src, t0.Add(6*time.Second), Config{}, &q)
	src.mu.Lock()
	defer src.mu.Unlock()
	full, udp := 0, 0
	for _, c := range src.samples {
		if len(c.query.Ports) != 1 || c.query.Ports[0] != q.Ports[0] || len(c.query.Protos) != 0 {
			t.Fatalf("sample at %v asked for %+v", c.at.Sub(t0), c.query)
		}
		if c.udpOnly {
			udp++
		} else if c.query.States != 0 {
			t.Fatalf("full sample at %v asked for states %v", c.at.Sub(t0), c.query.States)
		} else {
			full++
		}
	}
	if full < 2 || udp < 50 {
		t.Errorf("%d full samples, %d UDP-only", full, udp)
	}
}

// A query with a state filter keeps the poller sampling in full: sockets
// leave such a dump as they change state, which events do not follow.
func TestEventTableNotWithAStateFilter(t *testing.T) {
	src := &tableSource{complete: true, perTick: 1}
	q := sampler.Query{States: sampler.MaskOf(sampler.StateEstablished)}
	runTableSourceWith(t, src, t0.Add(2*time.Second), Config{}, &q)
	src.mu.Lock()
	defer src.mu.Unlock()
	for _, c := range src.samples {
		if c.udpOnly {
			t.Fatalf("a UDP-only sample at %v under a state filter", c.at.Sub(t0))
		}
	}
}

// udpQuietTable is a tableSource that can tell its UDP sockets held still
// (udpQuietSource) and reports UDP releases. Each UDPQuiet stands for a
// tick's time passing (the clock moves 100 ms and the tick's connections
// are made, as at a Sample); at swapAt it closes its UDP socket and binds
// another (the count stays, so it still says quiet) and reports the close.
type udpQuietTable struct {
	*tableSource
	asked    int
	swapAt   time.Time
	swapped  sampler.Socket
	next     sampler.Socket // what replaces the UDP socket at swapAt
	releases chan<- sampler.Release
}

func (q *udpQuietTable) UDPQuiet() bool {
	s := q.tableSource
	s.mu.Lock()
	defer s.mu.Unlock()
	q.asked++
	s.clock = s.clock.Add(100 * time.Millisecond)
	if s.clock.Before(s.end) {
		for range s.perTick {
			s.churn()
		}
	}
	if !q.swapAt.IsZero() && !s.clock.Before(q.swapAt) && q.swapped.Cookie == 0 && q.releases != nil {
		old := s.udp[0]
		q.swapped = q.next
		s.udp = []sampler.Socket{q.swapped}
		q.releases <- sampler.Release{Socket: old, At: s.clock}
	}
	return true
}

func (q *udpQuietTable) WatchReleases(ctx context.Context, out chan<- sampler.Release) error {
	q.mu.Lock()
	q.releases = out
	q.mu.Unlock()
	<-ctx.Done()
	return nil
}

// A source that can tell its UDP sockets held still spares the ticks their
// UDP-only samples; a UDP release makes the next tick sample (a close and
// a bind keep the count it goes by), so the new socket opens at once, not
// at the next check.
func TestEventTableSkipsUDPSamplesWhileUDPHoldsStill(t *testing.T) {
	src := &udpQuietTable{tableSource: &tableSource{complete: true, perTick: 2}}
	src.swapAt = t0.Add(3 * time.Second)
	src.next = sock(t, "udp 127.0.0.1:5454 0.0.0.0:0 NONE #900001")
	events, _, _ := runTableSourceWith(t, src.tableSource, t0.Add(6*time.Second), Config{Source: src}, nil)
	src.mu.Lock()
	defer src.mu.Unlock()
	udpOnly := 0
	for _, c := range src.samples {
		if c.udpOnly {
			udpOnly++
		}
	}
	if src.asked < 50 || udpOnly != 1 {
		t.Errorf("asked whether UDP held still %d times, %d UDP-only samples; want most ticks asked, one sample (after the release)", src.asked, udpOnly)
	}
	var opened, closed *sampler.Event
	tcpOpens := 0
	for i, e := range events {
		switch {
		case e.Socket.Proto == sampler.TCP && e.Kind == sampler.Opened:
			tcpOpens++
		case e.Socket.Cookie == src.swapped.Cookie && e.Kind == sampler.Opened:
			opened = &events[i]
		case e.Socket.Cookie == 900000 && e.Kind == sampler.Closed:
			closed = &events[i]
		}
	}
	if tcpOpens != src.opened {
		t.Errorf("%d TCP opens reported of %d made", tcpOpens, src.opened)
	}
	if closed == nil || opened == nil {
		t.Fatalf("the swapped UDP sockets: close %v, open %v", closed, opened)
	}
	if late := opened.Time.Sub(src.swapAt); late > 500*time.Millisecond {
		t.Errorf("the new UDP socket opened %v after it was bound, want by the next tick", late)
	}
}
