package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/record"
)

// The stats line sets porttop's TCP opens beside the kernel's counts as both
// stood at one instant: opens reported after the counters were read (release
// reports between samples) must not read as a surplus.
func TestStatsLineComparesAtTheKernelsInstant(t *testing.T) {
	var out bytes.Buffer
	w, err := record.NewWriter(&out, record.Header{Started: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	s := streamer{outs: []*record.Writer{w}, stdout: w, stats: time.Nanosecond, said: map[string]bool{}}
	start := sampler.KernelCounters{ActiveOpens: 100, PassiveOpens: 100}
	if err := s.writeStats(sampler.Batch{Kernel: &start}); err != nil { // the first line waits one period
		t.Fatal(err)
	}
	time.Sleep(time.Millisecond)
	now := sampler.KernelCounters{ActiveOpens: 103, PassiveOpens: 103}
	b := sampler.Batch{Kernel: &now, Reported: 9, ReportedTCP: 8, ReportedTCPAtKernel: 6}
	b.Snapshot.Time = time.Unix(5, 0)
	if err := s.writeStats(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var st struct {
		Stats struct {
			ReportedOpens    uint64 `json:"reported_opens"`
			ReportedTCPOpens uint64 `json:"reported_tcp_opens"`
			Active           uint64 `json:"kernel_active_opens"`
			Passive          uint64 `json:"kernel_passive_opens"`
		}
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &st); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if st.Stats.ReportedTCPOpens != 6 || st.Stats.Active+st.Stats.Passive != 6 || st.Stats.ReportedOpens != 9 {
		t.Errorf("stats %+v; want reported_tcp_opens 6 (at the kernel's read) against kernel 3+3, reported_opens 9", st.Stats)
	}
}
