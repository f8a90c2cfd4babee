package live

import (
	"slices"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
)

// A paced view takes the events between its tables: a machine-wide batch
// carrying the table the step before brought (the same rows, never written
// again, and time) says so (TableKept), so the view keeps what it made of
// that table; a new table, or a buffer the poller filled again for a new
// one (a new time), does not; nor do the parts of the first sample's
// opens, the last of which the view takes as the first table.
func TestWideTableKept(t *testing.T) {
	var m Merger
	all := machine()
	for i, p := range wideParts(t0, all, 2) {
		if out := m.Wide(p); out.TableKept {
			t.Fatalf("part %d of the first sample says its table kept", i)
		}
	}
	at := t0.Add(3 * time.Second)
	table := slices.Clone(all)
	conn := curl54112()
	for _, step := range []struct {
		name string
		b    sampler.Batch
		kept bool
	}{
		{"a new table", wideAt(at, table), false},
		{"the same table, an open", wideAt(at, table, opened(at.Add(time.Second), conn)), true},
		{"the same table, no event", wideAt(at, table), true},
		{"the buffer filled again, a new time", wideAt(at.Add(3*time.Second), table), false},
		{"a copy of the rows", wideAt(at.Add(3*time.Second), slices.Clone(table)), false},
	} {
		out := m.Wide(step.b)
		if out.TableKept != step.kept || out.Show != ShowWide {
			t.Errorf("%s: TableKept %v, show %v; want %v, the table's", step.name, out.TableKept, out.Show, step.kept)
		}
	}
}
