package live

import (
	"testing"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/ports"
)

// A new focus is handed what the view knew of the sockets it will cover:
// the newest machine-wide snapshot and, when a focus was live, that
// focus's, which the machine-wide view, sampling slowly in the background
// meanwhile, may not have.
func TestRefocusKeepsWhatTheFocusSaw(t *testing.T) {
	var m Merger
	wide := machine()
	m.Wide(firstWide(t0, wide))
	_, ask := refocus(t, &m, sampler.Query{Ports: []sampler.PortRange{{Lo: 60000, Hi: 61000}}})
	if len(ask.Known.Wide) != len(wide) || ask.Known.Focus != nil {
		t.Errorf("the first focus was handed %d machine-wide and %d focused sockets, want %d and none",
			len(ask.Known.Wide), len(ask.Known.Focus), len(wide))
	}
	only := wget60716() // seen by the focus alone, since t0
	focused(t, &m, ask.Gen, focusedAt(t0, only))
	_, last := refocus(t, &m, onePort(60716))
	if last.Query.Ports[0] != (sampler.PortRange{Lo: 60716, Hi: 60716}) {
		t.Fatalf("second focus on %+v, want 60716", last.Query)
	}
	if len(last.Known.Focus) != 1 || last.Known.Focus[0].ID != only.ID || !last.Known.Focus[0].Since.Time().Equal(only.Since.Time()) {
		t.Errorf("the new focus was handed %+v, want %v first seen %v from the focus it replaced", last.Known.Focus, only.Local, only.Since)
	}
	if len(last.Known.Wide) != len(wide) {
		t.Errorf("the new focus was handed %d machine-wide sockets, want the newest snapshot's %d", len(last.Known.Wide), len(wide))
	}
}

// A filter that does not narrow stops the focus: nothing to hand over.
func TestNoFirstSeenForAFilterThatDoesNotNarrow(t *testing.T) {
	f, err := filter.Parse("sshd", ports.Range{Lo: 32768, Hi: 60999})
	if err != nil {
		t.Fatal(err)
	}
	var m Merger
	m.Wide(firstWide(t0, machine()))
	_, ask := refocus(t, &m, f.Query())
	if ask.Narrows() || ask.Known.Wide != nil || ask.Known.Focus != nil {
		t.Errorf("asked %+v, want a stop with nothing handed over", ask)
	}
}

// Alone is the merge of a machine-wide batch with no focus ever asked.
func TestAloneIsTheWholeBatch(t *testing.T) {
	b := firstWide(t0, machine())
	out := Alone(b)
	if out.Show != ShowWide || out.Wide == nil || len(out.Events) != len(b.Events) || len(out.History) != len(b.Events) ||
		len(out.Snapshot.Sockets) != len(b.Snapshot.Sockets) || out.Reset || out.Err != nil || out.Focus.Live || out.Listeners != nil {
		t.Errorf("Alone: %+v", out)
	}
}
