package ebpf

import (
	"sync"
	"time"
)

// aliveMemo answers whether a process runs, asking the kernel (check) at
// most once per pid every aliveFor. Under churn the same few processes
// (a client, its server) open every socket: the source asked the kernel
// for each opening transition and each release it named, about 5,000
// kill(pid, 0) calls a second at 1,000 connections a second, for answers
// that change once in a process's life. An exit is told at most aliveFor
// late. Safe for concurrent use.
type aliveMemo struct {
	check func(pid int32) bool
	now   func() time.Time

	mu   sync.Mutex
	pids map[int32]aliveAt
}

type aliveAt struct {
	alive bool
	at    time.Time
}

// aliveFor is how long an answer stands: well under a sample interval.
const aliveFor = 20 * time.Millisecond

// maxAlivePids bounds the memo: past it, it starts afresh.
const maxAlivePids = 4096

func newAliveMemo(check func(pid int32) bool) *aliveMemo {
	return &aliveMemo{check: check, now: time.Now, pids: map[int32]aliveAt{}}
}

// alive reports whether pid runs, as the kernel said at most aliveFor ago.
func (m *aliveMemo) alive(pid int32) bool {
	now := m.now()
	m.mu.Lock()
	e, ok := m.pids[pid]
	m.mu.Unlock()
	if ok && now.Sub(e.at) < aliveFor && !now.Before(e.at) {
		return e.alive
	}
	a := m.check(pid)
	m.mu.Lock()
	if len(m.pids) >= maxAlivePids {
		clear(m.pids)
	}
	m.pids[pid] = aliveAt{a, now}
	m.mu.Unlock()
	return a
}
