//go:build linux

package procowner

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// BenchmarkHotScan: a sample holding one socket new to the cache, made by
// a hot process (a child holding N connections' far ends, so N+ fds): the
// hot scan reads that process's fd table and nothing else. Over the budget
// (hotFDBudget fd links), the scan lists the table, skips it and leaves the
// socket to the full walk. fd-reads is fd links read per sample.
func BenchmarkHotScan(b *testing.B) {
	for _, n := range []int{100, 1000, 3000} {
		b.Run(fmt.Sprintf("fds=%d", n), func(b *testing.B) {
			child := holdInChild(b, n)
			o := New("/proc")
			defer o.Close()
			o.hotShare = 0 // each op one scan, however close together
			o.walk()
			var inode uint32
			for in, pid := range o.owner {
				if pid == child {
					inode = in
					break
				}
			}
			if inode == 0 {
				b.Fatalf("no socket of the child %d found", child)
			}
			now := time.Now()
			o.lastWalk = now // the full walk is not due: hot scans alone
			o.markHot(map[int32]int{child: o.fdCount[child]}, now)
			socks := []sampler.Socket{{Inode: inode, Owner: sampler.Owner{UID: int32(os.Geteuid())}}}
			reads0 := o.fdReads
			var found int
			measure(b, func() int {
				delete(o.owner, inode)
				clear(o.tried)
				socks[0].PID = 0
				o.Attribute(socks, now)
				if socks[0].PID == child {
					found++
				}
				return len(socks)
			})
			b.ReportMetric(float64(o.fdReads-reads0)/float64(b.N+1), "fd-reads/op")
			if n < hotFDBudget && found < b.N {
				b.Fatalf("hot scan found the child's socket %d times in %d", found, b.N)
			}
		})
	}
}
