package poll

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// The reconciler's tests are scripts: steps fed to a fresh Reconciler in
// order (samples, releases, query changes), with want steps checking the
// events made since the previous check. No clock, no goroutine: each step
// carries its own time, in seconds after t0 (see at).
//
//	runScript(t,
//		sample{0, []string{sockA}},
//		want{"open 127.0.0.1:40001 #1 existing"},
//		release{1, sockA},
//		want{"close 127.0.0.1:40001 #1"},
//	)

// step is one step of a script.
type step interface{ do(*scriptRun) }

// scriptRun is a script being run: the reconciler and the events its steps
// made since the last want or inspect.
type scriptRun struct {
	t      *testing.T
	r      *Reconciler
	events []sampler.Event
	steps  int
	// keep is the filter of the check begun (see scriptsKept); nil for a
	// whole check.
	keep func(*sampler.Socket) bool
	kept int // rows the last filtered check kept
}

// scriptsKept runs the scripts' checks filtered (BeginKept, CheckKept)
// rather than whole: set by TestScriptsKeptAsWhole alone.
var scriptsKept bool

// runScript runs steps against a new Reconciler and returns it.
func runScript(t *testing.T, steps ...step) *Reconciler {
	t.Helper()
	x := &scriptRun{t: t, r: NewReconciler(sampler.FirstSeen{})}
	for _, s := range steps {
		x.steps++
		s.do(x)
	}
	return x.r
}

// sample is a successful sample at second at holding socks (see sock).
type sample struct {
	at    int
	socks []string
}

func (s sample) do(x *scriptRun) {
	x.t.Helper()
	sn := snap(x.t, at(s.at), s.socks...)
	x.events = append(x.events, x.r.Sample(at(s.at), &sn, Reading{})...)
}

// sampleOf is a successful sample of a snapshot built by hand (owners,
// inodes), with the kernel's counters read as its dump began (kernel) and
// ended (end) where set.
type sampleOf struct {
	snap        sampler.Snapshot
	kernel, end *sampler.KernelCounters
}

func (s sampleOf) do(x *scriptRun) {
	x.t.Helper()
	sn := s.snap
	sn.Sockets = slices.Clone(sn.Sockets)
	x.events = append(x.events, x.r.Sample(sn.Time, &sn, Reading{Start: s.kernel, End: s.end})...)
}

// release is the kernel's report, at second at, that sock was released
// (in TIME_WAIT when its state says so).
type release struct {
	at   int
	sock string
}

func (s release) do(x *scriptRun) {
	x.t.Helper()
	x.events = append(x.events, x.r.Release(at(s.at), sampler.Release{Socket: sock(x.t, s.sock), At: at(s.at)})...)
}

// releaseOf is a release of a socket built by hand, at its own At (the
// step's time when unset, as the driver gives it).
type releaseOf struct {
	now time.Time
	rel sampler.Release
}

func (s releaseOf) do(x *scriptRun) {
	x.events = append(x.events, x.r.Release(s.now, s.rel)...)
}

// setQuery says the source was asked for q from the next sample on.
type setQuery sampler.Query

func (s setQuery) do(x *scriptRun) { x.r.SetQuery(sampler.Query(s)) }

// want checks the events since the last check, each as line renders it.
type want []string

func (w want) do(x *scriptRun) {
	x.t.Helper()
	got := lines(x.events)
	if !slices.Equal(got, []string(w)) && (len(got) > 0 || len(w) > 0) {
		x.t.Errorf("step %d: events\n got %q\nwant %q", x.steps, got, []string(w))
	}
	x.events = x.events[:0]
}

// inspect checks the events since the last check with a function, for what
// want does not show (held times, owners), and then forgets them.
type inspect func(t *testing.T, events []sampler.Event)

func (f inspect) do(x *scriptRun) {
	x.t.Helper()
	f(x.t, x.events)
	x.events = x.events[:0]
}

// check looks at the reconciler itself (its base, its audit).
type check func(t *testing.T, r *Reconciler)

func (f check) do(x *scriptRun) {
	x.t.Helper()
	f(x.t, x.r)
}

// lines renders events as "kind local [#cookie] [PREV->STATE] [existing]
// [seen-at-end]".
func lines(events []sampler.Event) []string {
	var out []string
	for _, e := range events {
		l := e.Kind.String() + " " + e.Socket.Local.String()
		if e.Socket.Cookie != 0 {
			l += fmt.Sprintf(" #%d", e.Socket.Cookie)
		}
		if e.Kind == sampler.StateChanged {
			l += " " + e.PrevState.String() + "->" + e.Socket.State.String()
		}
		if e.Existing {
			l += " existing"
		}
		if e.SeenAtEnd {
			l += " seen-at-end"
		}
		out = append(out, l)
	}
	return out
}

// transition is the kernel's report, at second at, that the TCP socket with
// addresses local and remote went from one state to another.
type transition struct {
	at            int
	local, remote string
	from, to      string
}

func (s transition) do(x *scriptRun) {
	x.t.Helper()
	from, ok1 := sampler.ParseState(s.from)
	to, ok2 := sampler.ParseState(s.to)
	if !ok1 || !ok2 {
		x.t.Fatalf("bad states in %+v", s)
	}
	x.events = x.r.Transition(at(s.at), sampler.Transition{
		At: at(s.at), Proto: sampler.TCP, From: from, To: to,
		Local: netip.MustParseAddrPort(s.local), Remote: netip.MustParseAddrPort(s.remote),
	}, x.events)
}
