// Package psutil is porttop's portable source: it reads the connection table
// through gopsutil on every OS gopsutil supports. It is slower than a kernel
// source (it walks every process's open files to attribute sockets) and has
// no socket cookies, so a socket's identity is its protocol and addresses.
package psutil

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
	gnet "github.com/shirou/gopsutil/v3/net"
)

// Source samples the table with gopsutil. Use New.
type Source struct {
	names *nameCache
	// connections is gopsutil's table reader, replaceable in tests.
	connections func(ctx context.Context, kind string) ([]gnet.ConnectionStat, error)
	privileged  bool

	mu       sync.Mutex
	hidden   bool   // the last sample had sockets without a pid while unprivileged
	rejected int    // rows of the last sample that could not be read
	lastBad  string // why the last rejected row was rejected
}

// New returns the gopsutil source.
func New() sampler.Source {
	return &Source{
		names:       newNameCache(processName),
		connections: gnet.ConnectionsWithContext,
		privileged:  privileged(),
	}
}

// Name is "gopsutil".
func (s *Source) Name() string { return "gopsutil" }

// Sample reads TCP and UDP over IPv4 and IPv6 ("inet": one walk of the
// process table rather than one per protocol). Rows that cannot be read are
// left out and reported by Notes; the same socket listed by several processes
// (a socket shared across fork) is kept once, preferring a row with a pid.
func (s *Source) Sample(ctx context.Context) (sampler.Snapshot, error) {
	rows, err := s.connections(ctx, "inet")
	now := time.Now()
	if err != nil {
		return sampler.Snapshot{}, fmt.Errorf("gopsutil connections: %w", err)
	}
	snap := sampler.Snapshot{Time: now, Sockets: make([]sampler.Socket, 0, len(rows))}
	at := make(map[sampler.ID]int, len(rows))
	rejected, lastBad, missingPID := 0, "", false
	for _, row := range rows {
		proto, ok := protoOf(row.Type)
		if !ok {
			continue
		}
		sock, err := toSocket(row, proto)
		if err != nil {
			rejected++
			lastBad = err.Error()
			continue
		}
		if i, dup := at[sock.ID]; dup {
			if snap.Sockets[i].PID == 0 && sock.PID != 0 {
				snap.Sockets[i] = sock
			}
			continue
		}
		at[sock.ID] = len(snap.Sockets)
		snap.Sockets = append(snap.Sockets, sock)
	}
	s.names.begin()
	for i := range snap.Sockets {
		sock := &snap.Sockets[i]
		if sock.PID == 0 {
			missingPID = true
			continue
		}
		sock.Process = s.names.name(ctx, sock.PID)
	}
	s.names.end()

	s.mu.Lock()
	s.hidden = missingPID && !s.privileged
	s.rejected, s.lastBad = rejected, lastBad
	s.mu.Unlock()
	return snap, nil
}

// OwnersHidden implements sampler.Owners: unprivileged, gopsutil cannot see
// which process holds another user's socket, and reports pid 0 for it.
func (s *Source) OwnersHidden() (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hidden, privilegeHint
}

// Notes implements sampler.Noter: rows of the last sample that were left out.
func (s *Source) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejected == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d unreadable rows skipped (last: %s)", s.rejected, s.lastBad)}
}
