package poll

import (
	"errors"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// quietSource is a scripted source whose Quiet answer the test sets.
type quietSource struct {
	*scriptedSource
	quiet bool
	asked int
}

func (q *quietSource) Quiet() bool { q.asked++; return q.quiet }

func TestSkipQuiet(t *testing.T) {
	tests := []struct {
		name        string
		quiet       bool
		sampleFails bool
		sinceSample time.Duration
		newQuery    bool
		wantSkip    bool
	}{
		{name: "quiet", quiet: true, sinceSample: 100 * time.Millisecond, wantSkip: true},
		{name: "counters moved", quiet: false, sinceSample: 100 * time.Millisecond},
		{name: "quiet too long", quiet: true, sinceSample: MaxQuietGap},
		{name: "last sample failed", quiet: true, sampleFails: true, sinceSample: 100 * time.Millisecond},
		{name: "query changed", quiet: true, sinceSample: 100 * time.Millisecond, newQuery: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := scriptStep{snap: sampler.Snapshot{Time: t0, Sockets: []sampler.Socket{sock(t, "tcp 127.0.0.1:80 0.0.0.0:0 LISTEN #1")}}}
			if tt.sampleFails {
				step = scriptStep{err: errors.New("sample failed")}
			}
			src := &quietSource{scriptedSource: &scriptedSource{steps: []scriptStep{step}}, quiet: tt.quiet}
			now := t0
			p := New(Config{Source: src, Interval: 100 * time.Millisecond, Now: func() time.Time { return now }})
			p.sample(t.Context())
			now = now.Add(tt.sinceSample)
			if tt.newQuery {
				p.SetQuery(sampler.Query{Protos: []sampler.Proto{sampler.UDP}})
			}
			if got := p.skipQuiet(); got != tt.wantSkip {
				t.Errorf("skip = %v, want %v", got, tt.wantSkip)
			}
		})
	}
}

func TestSkipQuietNeedsAQuietSource(t *testing.T) {
	src := &scriptedSource{steps: []scriptStep{{snap: sampler.Snapshot{Time: t0}}}}
	p := New(Config{Source: src, Interval: 100 * time.Millisecond, Now: func() time.Time { return t0 }})
	p.sample(t.Context())
	if p.skipQuiet() {
		t.Error("skipped a sample of a source that cannot tell it is quiet")
	}
}
