package ebpf

import (
	"testing"
	"time"
)

// The kernel is asked once per pid within aliveFor, and again after: an
// exit is told, at most aliveFor late.
func TestAliveMemoAsksOncePerPidAWhile(t *testing.T) {
	asked := map[int32]int{}
	running := map[int32]bool{10: true, 20: true}
	m := newAliveMemo(func(pid int32) bool { asked[pid]++; return running[pid] })
	now := time.Unix(1000, 0)
	m.now = func() time.Time { return now }
	for range 100 {
		if !m.alive(10) || !m.alive(20) || m.alive(30) {
			t.Fatal("wrong answer from the memo")
		}
	}
	if asked[10] != 1 || asked[20] != 1 || asked[30] != 1 {
		t.Fatalf("asked %v, want each pid once", asked)
	}
	running[10] = false // exits
	now = now.Add(aliveFor / 2)
	if !m.alive(10) {
		t.Fatal("the answer changed before aliveFor")
	}
	now = now.Add(aliveFor)
	if m.alive(10) {
		t.Fatalf("pid 10 still alive %v after it exited", aliveFor)
	}
	if asked[10] != 2 {
		t.Errorf("asked pid 10 %d times, want 2", asked[10])
	}
	// A clock that went back asks again rather than trust an answer from
	// the future.
	now = now.Add(-time.Second)
	m.alive(20)
	if asked[20] != 2 {
		t.Errorf("asked pid 20 %d times after the clock went back, want 2", asked[20])
	}
}
