package poll

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Failed hand-outs streamed by the source reach the consumer with the next
// sample, summed per process, destination and errno, each counted once.
func TestPollerCarriesFailedConnects(t *testing.T) {
	src := &kernelSource{
		scriptedSource: &scriptedSource{steps: []scriptStep{ok(snap(t, t0, "tcp 127.0.0.1:9400 0.0.0.0:0 LISTEN"))}},
		transitions:    make(chan sampler.Transition),
		failures:       make(chan sampler.PortFailure),
	}
	p := New(Config{Source: src, Interval: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go p.Run(ctx)
	if _, err := p.Next(ctx); err != nil {
		t.Fatal(err)
	}
	dest := netip.MustParseAddrPort("127.0.0.1:9400")
	for i := range 189 {
		src.failures <- sampler.PortFailure{At: t0.Add(time.Duration(i)), Op: sampler.FailedConnect, Errno: 99, Addr: dest,
			Actor: sampler.Actor{Known: true, PID: 42, Comm: "python3"}}
	}
	src.failures <- sampler.PortFailure{At: t0, Op: sampler.FailedBind, Errno: 98, Actor: sampler.Actor{Known: true, PID: 7, Comm: "nc"}}
	src.transitions <- sampler.Transition{At: t0, From: sampler.StateClose, To: sampler.StateSynSent} // taken, not blocking
	var got []sampler.FailureCount
	for total := uint64(0); total < 190; {
		p.Poke()
		b, err := p.Next(ctx)
		if err != nil {
			t.Fatalf("Next: %v (failures so far %+v)", err, got)
		}
		got = sampler.MergeFailures(got, b.Failures)
		total = 0
		for _, g := range got {
			total += g.Count
		}
		if total > 190 {
			t.Fatalf("failures counted twice: %+v", got)
		}
	}
	if len(got) != 2 || got[0].Count != 189 || got[0].Process != "python3" || got[0].Addr != dest || got[0].Errno != 99 ||
		got[1].Op != sampler.FailedBind || got[1].Count != 1 {
		t.Errorf("failures = %+v", got)
	}
}

// Transitions streamed by the source come out as state changes without
// waiting for a sample, and a contradicted one is counted in the batch and
// said in a note.
func TestPollerReconcilesTransitions(t *testing.T) {
	src := &kernelSource{
		scriptedSource: &scriptedSource{steps: []scriptStep{ok(snap(t, t0, "tcp 127.0.0.1:40001 127.0.0.1:80 ESTABLISHED #1"))}},
		transitions:    make(chan sampler.Transition),
		failures:       make(chan sampler.PortFailure),
	}
	p := New(Config{Source: src, Interval: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go p.Run(ctx)
	if _, err := p.Next(ctx); err != nil {
		t.Fatal(err)
	}
	cli, srv := netip.MustParseAddrPort("127.0.0.1:40001"), netip.MustParseAddrPort("127.0.0.1:80")
	src.transitions <- sampler.Transition{At: t0.Add(time.Second), Proto: sampler.TCP, Local: cli, Remote: srv, From: sampler.StateEstablished, To: sampler.StateCloseWait}
	b, err := p.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(b.Events); len(got) != 1 || b.Events[0].Kind != sampler.StateChanged || b.Events[0].Socket.State != sampler.StateCloseWait {
		t.Fatalf("events %q, want the change to CLOSE_WAIT", got)
	}
	src.transitions <- sampler.Transition{At: t0.Add(2 * time.Second), Proto: sampler.TCP, Local: cli, Remote: srv, From: sampler.StateFinWait1, To: sampler.StateFinWait2}
	for b.Disagreements == 0 {
		if b, err = p.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if b.Disagreements != 1 || len(b.Notes) == 0 || b.Notes[len(b.Notes)-1] != "1 kernel transition disagreed with the table: the table's state kept" {
		t.Errorf("disagreements %d, notes %q", b.Disagreements, b.Notes)
	}
}
