package churn

import (
	"slices"
	"testing"
)

func TestRing(t *testing.T) {
	handOuts := func(b *bucket) uint32 { return b.handOuts }
	timeWait := func(b *bucket) uint32 { return b.timeWait }
	type step struct {
		advance  int64
		handOuts uint32 // added to the newest second
		timeWait uint32 // set on the newest second (0: left alone)
	}
	tests := []struct {
		name         string
		steps        []step
		k            int
		wantHandOuts []uint32
		wantTimeWait []uint32
		wantN        int
	}{
		{"empty", nil, 5, []uint32{}, []uint32{}, 0},
		{"one second", []step{{1000, 3, 7}}, 5, []uint32{3}, []uint32{7}, 1},
		{"consecutive", []step{{1000, 1, 5}, {1001, 2, 6}, {1002, 3, 0}}, 5,
			[]uint32{1, 2, 3}, []uint32{5, 6, 6}, 3},
		{"gap carries gauges, zeroes counts", []step{{1000, 4, 9}, {1003, 1, 0}}, 10,
			[]uint32{4, 0, 0, 1}, []uint32{9, 9, 9, 9}, 4},
		{"k limits to the newest", []step{{1000, 1, 0}, {1001, 2, 0}, {1002, 3, 0}}, 2,
			[]uint32{2, 3}, []uint32{0, 0}, 3},
		{"clock back keeps the newest second", []step{{1000, 1, 0}, {999, 1, 0}}, 5,
			[]uint32{2}, []uint32{0}, 1},
		{"gap longer than the window", []step{{1000, 5, 3}, {1000 + 2*window, 1, 0}}, 3,
			[]uint32{0, 0, 1}, []uint32{3, 3, 3}, window},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r ring
			for _, s := range tt.steps {
				r.advance(s.advance)
				b := r.at(r.head)
				b.handOuts += s.handOuts
				if s.timeWait != 0 {
					b.timeWait = s.timeWait
				}
			}
			if got := r.series(tt.k, handOuts); !slices.Equal(got, tt.wantHandOuts) {
				t.Errorf("hand-outs = %v; want %v", got, tt.wantHandOuts)
			}
			if got := r.series(tt.k, timeWait); !slices.Equal(got, tt.wantTimeWait) {
				t.Errorf("TIME_WAIT = %v; want %v", got, tt.wantTimeWait)
			}
			if r.n != tt.wantN {
				t.Errorf("n = %d; want %d", r.n, tt.wantN)
			}
		})
	}
}

func TestRingAt(t *testing.T) {
	var r ring
	if r.at(5) != nil {
		t.Error("empty ring has a bucket")
	}
	r.advance(1000)
	r.advance(1000 + window - 1)
	for _, tt := range []struct {
		sec  int64
		want bool
	}{{1000, true}, {999, false}, {1000 + window - 1, true}, {1000 + window, false}} {
		if got := r.at(tt.sec) != nil; got != tt.want {
			t.Errorf("at(%d) held = %v; want %v", tt.sec, got, tt.want)
		}
	}
}

func TestRingSpread(t *testing.T) {
	handOuts := func(b *bucket) uint32 { return b.handOuts }
	tests := []struct {
		name     string
		from, to int64
		n        uint32
		want     []uint32 // seconds 1000-1005
	}{
		{"one second", 1004, 1005, 7, []uint32{0, 0, 0, 0, 0, 7}},
		{"even", 1002, 1005, 9, []uint32{0, 0, 0, 3, 3, 3}},
		{"remainder on the newest", 1001, 1005, 10, []uint32{0, 0, 2, 2, 3, 3}},
		{"from not before to", 1005, 1005, 4, []uint32{0, 0, 0, 0, 0, 4}},
		{"from older than held", 900, 1005, 13, []uint32{2, 2, 2, 2, 2, 3}},
		{"to in an older second", 1001, 1003, 4, []uint32{0, 0, 2, 2, 0, 0}},
		{"to not held", 1005, 1009, 4, []uint32{0, 0, 0, 0, 0, 0}},
		{"nothing", 1000, 1005, 0, []uint32{0, 0, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r ring
			r.advance(1000)
			r.advance(1005)
			r.spread(tt.from, tt.to, tt.n, func(b *bucket) *uint32 { return &b.handOuts })
			if got := r.series(6, handOuts); !slices.Equal(got, tt.want) {
				t.Errorf("spread = %v; want %v", got, tt.want)
			}
		})
	}
}
