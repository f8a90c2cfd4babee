package eventfeed

import (
	"strings"
	"testing"

	"github.com/porttop/porttop/sampler"
)

// TestExistingLineLeavesWithItsSockets: once the summary line falls out of
// the ring, the sockets it counted are let go.
func TestExistingLineLeavesWithItsSockets(t *testing.T) {
	m := New(styles(), 3)
	m.SetSize(80, 10)
	e := opened(40000, t0)
	e.Existing = true
	m.Add([]sampler.Event{e}, t0)
	for p := range 3 {
		m.Add([]sampler.Event{opened(50000+p, t0)}, t0)
	}
	if m.existing != nil || strings.Contains(viewAt(m, t0, false), "already open") {
		t.Errorf("summary gone from the ring, but its sockets kept (%d)", len(m.existing))
	}
}
