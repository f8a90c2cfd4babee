package poll

import (
	"context"
	"net/netip"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The event-table scripts with checks, run with filtered checks
// (BeginKept, CheckKept): the same events, disagreements and tables as
// the whole checks their wants were written for.
func TestScriptsKeptAsWhole(t *testing.T) {
	scriptsKept = true
	defer func() { scriptsKept = false }()
	for name, test := range map[string]func(*testing.T){
		"check":            TestEventTableCheck,
		"timewait expiry":  TestEventTableCheckAfterTimeWaitExpiry,
		"open waits":       TestEventTableOpenWaitsForThePort,
		"rebase check":     TestEventTableRebaseCheckCountsNothing,
		"timewait timers":  TestTimeWaitTimersCloseEachAtItsEnd,
		"kept differences": TestCheckKeptDifferences,
		"rebase racing":    TestCheckKeptRebaseRacingTheDump,
	} {
		t.Run(name, test)
	}
}

// keptRows checks how many rows the last filtered check kept (with
// scriptsKept; nothing otherwise).
type keptRows int

func (n keptRows) do(x *scriptRun) {
	x.t.Helper()
	if scriptsKept && x.kept != int(n) {
		x.t.Errorf("step %d: the check kept %d rows, want %d", x.steps, x.kept, int(n))
	}
}

// A check whose table agrees with the events but for what they missed:
// rows the same (left out of a filtered check), a state change no event
// told, a close no event told, a socket opened while the dump ran (its
// row the dump's, older than the events), a socket events changed before
// the check (its row compared with theirs), and one they closed that the
// dump still shows (a release after the dump).
func TestCheckKeptDifferences(t *testing.T) {
	same := make([]string, 0, 40)
	for i := range 40 {
		same = append(same, "tcp 127.0.0.1:"+strconv.Itoa(41000+i)+" 127.0.0.1:80 ESTABLISHED #"+strconv.Itoa(100+i))
	}
	base := append(slices.Clone(same),
		cliE,
		"tcp 127.0.0.1:40002 127.0.0.1:80 ESTABLISHED #2",
		"tcp 127.0.0.1:40003 127.0.0.1:80 ESTABLISHED #3",
		"tcp 127.0.0.1:40004 127.0.0.1:80 ESTABLISHED #4",
		"tcp 127.0.0.1:40005 127.0.0.1:80 ESTABLISHED #5",
	)
	runScript(t,
		sample{0, base},
		inspect(func(t *testing.T, events []sampler.Event) {}),
		// Before the check: 40004 to CLOSE_WAIT, 40005 closed by events.
		ev{at: 1, cookie: 4, local: "127.0.0.1:40004", remote: srv, from: "ESTABLISHED", to: "CLOSE_WAIT"},
		ev{at: 1, cookie: 5, local: "127.0.0.1:40005", remote: srv, from: "ESTABLISHED", to: "CLOSE"},
		want{"state 127.0.0.1:40004 #4 ESTABLISHED->CLOSE_WAIT", "close 127.0.0.1:40005 #5"},
		beginCheck{},
		// While the dump runs: 40006 opened and established (the dump
		// saw it in SYN_SENT), 40001 to FIN_WAIT1 (the dump saw it
		// ESTABLISHED).
		ev{at: 5, cookie: 6, local: "127.0.0.1:40006", remote: srv, from: "CLOSE", to: "SYN_SENT"},
		ev{at: 5, cookie: 6, local: "127.0.0.1:40006", remote: srv, from: "SYN_SENT", to: "ESTABLISHED"},
		ev{at: 5, cookie: 1, local: cli, remote: srv, from: "ESTABLISHED", to: "FIN_WAIT1"},
		want{"open 127.0.0.1:40006 #6", "state 127.0.0.1:40006 #6 SYN_SENT->ESTABLISHED", "state 127.0.0.1:40001 #1 ESTABLISHED->FIN_WAIT1"},
		checkAt{5, append(slices.Clone(same),
			cliE, // touched: the table's row
			"tcp 127.0.0.1:40002 127.0.0.1:80 CLOSE_WAIT #2", // a change no event told
			// 40003 gone: a close no event told
			"tcp 127.0.0.1:40004 127.0.0.1:80 ESTABLISHED #4", // as the base: events said CLOSE_WAIT
			"tcp 127.0.0.1:40005 127.0.0.1:80 ESTABLISHED #5", // closed by events before
			"tcp 127.0.0.1:40006 127.0.0.1:80 SYN_SENT #6",    // touched
		)},
		// 40004 back to ESTABLISHED is a change TCP cannot make: taken
		// with no event; 40005 closed by events is not opened again.
		want{"close 127.0.0.1:40003 #3", "state 127.0.0.1:40002 #2 ESTABLISHED->CLOSE_WAIT"},
		// Kept by the filter: 40002 and 40006 (not the base's rows);
		// 40004 and 40005 (adjusted) taken back at the check, 40001
		// (touched) the table's.
		keptRows(2),
		checkDisagreements(3),
		table(append(tableOf(same), "tcp 127.0.0.1:40001 FIN_WAIT1", "tcp 127.0.0.1:40002 CLOSE_WAIT",
			"tcp 127.0.0.1:40004 ESTABLISHED", "tcp 127.0.0.1:40006 ESTABLISHED")...),
		// The next check of the same table: nothing, every row left out.
		beginCheck{},
		checkAt{10, append(slices.Clone(same),
			"tcp 127.0.0.1:40001 127.0.0.1:80 FIN_WAIT1 #1",
			"tcp 127.0.0.1:40002 127.0.0.1:80 CLOSE_WAIT #2",
			"tcp 127.0.0.1:40004 127.0.0.1:80 ESTABLISHED #4",
			"tcp 127.0.0.1:40006 127.0.0.1:80 ESTABLISHED #6",
		)},
		want{},
		keptRows(0),
		checkDisagreements(3),
		disagreements(0),
	)
}

// tableOf is the table check's lines of sockets given as sock specs.
func tableOf(specs []string) []string {
	var out []string
	for _, s := range specs {
		f := splitFields(s)
		out = append(out, f[0]+" "+f[1]+" "+f[3])
	}
	return out
}

func splitFields(s string) []string {
	var f []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != ' ' {
			i++
		}
		f = append(f, s[:i])
		for i < len(s) && s[i] == ' ' {
			i++
		}
		s = s[i:]
	}
	return f
}

// A tick that re-bases the table while a check's dump runs (a consumer
// that keeps the tables it is handed): the filter's rows seen are of the
// old base, read back from it, and the check goes as a whole one.
func TestCheckKeptRebaseRacingTheDump(t *testing.T) {
	runScript(t,
		sample{0, []string{cliE, "tcp 127.0.0.1:40002 127.0.0.1:80 ESTABLISHED #2", "tcp 127.0.0.1:40003 127.0.0.1:80 ESTABLISHED #3"}},
		inspect(func(t *testing.T, events []sampler.Event) {}),
		check(func(t *testing.T, r *Reconciler) { r.SetTablesAsBase(true) }),
		beginCheck{},
		ev{at: 1, cookie: 4, local: "127.0.0.1:40004", remote: srv, from: "CLOSE", to: "SYN_SENT"},
		tick{at: 2, changed: true}, // the base is the tick's table now
		want{"open 127.0.0.1:40004 #4"},
		checkAt{3, []string{cliE, "tcp 127.0.0.1:40003 127.0.0.1:80 CLOSE_WAIT #3"}},
		want{"close 127.0.0.1:40002 #2", "state 127.0.0.1:40003 #3 ESTABLISHED->CLOSE_WAIT"},
		checkDisagreements(2),
		table("tcp 127.0.0.1:40001 ESTABLISHED", "tcp 127.0.0.1:40003 CLOSE_WAIT", "tcp 127.0.0.1:40004 SYN_SENT"),
	)
}

// keptSource is a fake event-table source of a big, still table that can
// filter its dump (sampler.RowFilter): Sample hands out a copy of the
// table, as a real source makes a new one; SampleKept asks keep of each
// row and copies those it keeps.
type keptSource struct {
	mu       sync.Mutex
	table    []sampler.Socket
	at       time.Time
	filtered int // SampleKept calls
}

func (s *keptSource) Name() string { return "kept" }

func (s *keptSource) Sample(ctx context.Context) (sampler.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = s.at.Add(time.Second)
	return sampler.Snapshot{Time: s.at, Sockets: slices.Clone(s.table)}, nil
}

func (s *keptSource) SampleKept(ctx context.Context, keep func(*sampler.Socket) bool) (sampler.Snapshot, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = s.at.Add(time.Second)
	s.filtered++
	snap := sampler.Snapshot{Time: s.at}
	var row sampler.Socket // one row read at a time, as a dump's
	for i := range s.table {
		row = s.table[i]
		if keep(&row) {
			snap.Sockets = append(snap.Sockets, row)
		}
	}
	return snap, true, nil
}

// bigTable is n established TCP sockets with cookies and owners.
func bigTable(n int) []sampler.Socket {
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	socks := make([]sampler.Socket, n)
	for i := range socks {
		socks[i] = sampler.Socket{ID: sampler.ID{Cookie: uint64(i + 1), Proto: sampler.TCP,
			Local: netip.AddrPortFrom(lo, uint16(1024+i%60000)), Remote: netip.AddrPortFrom(lo, uint16(80+i/60000))},
			State: sampler.StateEstablished, Inode: uint32(i + 1), Owner: sampler.Owner{PID: 7, UID: 0, Process: "held"}}
	}
	return socks
}

// A check of a 100k-socket table that did not change, for a consumer that
// reads no table between checks: the source's dump leaves out the rows
// the base holds, and the base takes the check in place: no second
// table (16.8 MB) is made. A consumer still holding the base when the
// check ends gets it untouched: the new base is a copy then.
func TestCheckKeptAllocatesNoTable(t *testing.T) {
	const n = 100_000
	src := &keptSource{table: bigTable(n), at: t0}
	p := New(Config{Source: src, TableEvery: NoTableTicks})
	ctx := context.Background()
	p.sample(ctx)
	first, _ := p.pending.take() // the consumer holds the first table
	p.Recycle(first.Snapshot)
	base := p.rec.Base().Sockets
	p.rec.inBase(releaseKey(base[0].ID)) // events looked a socket up: the base is indexed
	check := func() (allocated uint64, events int) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p.startCheck(ctx, true)
		res := <-p.checkDone
		p.finishCheck(ctx, res)
		runtime.ReadMemStats(&after)
		b, _ := p.pending.take()
		p.Recycle(b.Snapshot)
		return after.TotalAlloc - before.TotalAlloc, len(b.Events)
	}
	allocated, events := check()
	t.Logf("a check of %d sockets: %.2f MB allocated, %d filtered samples", n, float64(allocated)/(1<<20), src.filtered)
	if events != 0 {
		t.Errorf("a check of the same table made %d events", events)
	}
	// The seen marks (12.5 KB), the patch's and diff's marks (0.5 MB,
	// twice that with -race): under 3 MB, where the check's table alone
	// is 16.8.
	if want := uint64(3 << 20); allocated > want {
		t.Errorf("a check of %d sockets allocated %.1f MB, want at most %.1f (no second table)", n, float64(allocated)/(1<<20), float64(want)/(1<<20))
	}
	if got := p.rec.Base().Sockets; len(got) != n || bufKey(got) != bufKey(base) {
		t.Errorf("base after the check: %d rows, the same array %v; want %d, true (in place)", len(got), bufKey(got) == bufKey(base), n)
	}
	// The consumer holds a batch carrying the base: the check copies it.
	p.pending.add(update{snapshot: &sampler.Snapshot{Time: t0, Sockets: base}})
	held, _ := p.pending.take()
	before := slices.Clone(base)
	check()
	if !slices.Equal(held.Snapshot.Sockets, before) {
		t.Errorf("a check wrote over the table the consumer holds")
	}
	if bufKey(p.rec.Base().Sockets) == bufKey(base) || len(p.rec.Base().Sockets) != n {
		t.Errorf("base after a check while the consumer held it: written in place, or %d rows", len(p.rec.Base().Sockets))
	}
	p.Recycle(held.Snapshot)
}

// filteringTable is a tableSource whose checks' dumps are filtered
// (sampler.RowFilter): keep is asked of every row of its whole table.
type filteringTable struct {
	*tableSource
	mu           sync.Mutex
	asked, kept  int
	filteredRuns int
}

func (f *filteringTable) SampleKept(ctx context.Context, keep func(*sampler.Socket) bool) (sampler.Snapshot, bool, error) {
	snap, err := f.Sample(ctx)
	if err != nil {
		return snap, false, err
	}
	rows := snap.Sockets[:0]
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filteredRuns++
	for i := range snap.Sockets {
		f.asked++
		if row := snap.Sockets[i]; keep(&row) {
			rows = append(rows, row)
		}
	}
	f.kept += len(rows)
	snap.Sockets = rows
	return snap, true, nil
}

// Under churn told by complete transitions, a consumer that reads no
// table between checks gets every open and close with checks whose dumps
// are filtered, the checks find no difference, and the table kept by the
// events and the filtered checks is the kernel's at the end.
func TestEventTableFilteredChecksUnderChurn(t *testing.T) {
	src := &tableSource{complete: true, perTick: 10}
	// 200 connections held from before the first sample: the rows
	// checks leave out.
	src.onSample = func(s *tableSource) {
		if len(s.samples) > 1 {
			return
		}
		for _, c := range bigTable(200) {
			c.Cookie += 1 << 40
			s.tcp[c.Cookie] = c
		}
	}
	f := &filteringTable{tableSource: src}
	events, last, _ := runTableSourceWith(t, f.tableSource, t0.Add(25*time.Second), Config{Source: f, TableEvery: NoTableTicks}, nil)
	opens, closes := 0, 0
	for _, e := range events {
		switch {
		case e.Socket.Proto != sampler.TCP:
		case e.Kind == sampler.Opened && e.Socket.Cookie < 1<<40: // not a held one
			opens++
		case e.Kind == sampler.Closed:
			closes++
		}
	}
	src.mu.Lock()
	made := src.opened
	src.mu.Unlock()
	if opens != made {
		t.Errorf("%d opens reported of %d made", opens, made)
	}
	if last.Disagreements != 0 {
		t.Errorf("%d disagreements: the filtered checks found differences the events told", last.Disagreements)
	}
	f.mu.Lock()
	runs, asked, kept := f.filteredRuns, f.asked, f.kept
	f.mu.Unlock()
	t.Logf("%d filtered checks: %d rows asked, %d kept; %d closes", runs, asked, kept, closes)
	if runs < 2 || kept >= asked {
		t.Errorf("%d filtered checks, %d of %d rows kept: want checks that leave rows out", runs, kept, asked)
	}
	if closes == 0 {
		t.Error("no close reported")
	}
	for _, e := range events {
		if e.Kind == sampler.StateChanged && !sampler.TCPCanReach(e.PrevState, e.Socket.State) {
			t.Errorf("a change TCP cannot make: %+v", e)
		}
	}
}
