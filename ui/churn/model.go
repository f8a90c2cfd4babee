package churn

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/dests"
	"github.com/porttop/porttop/sampler/ports"
)

// DefaultThreshold is the share of the ephemeral range one destination may
// hold before the panel warns.
const DefaultThreshold = 0.5

// maxTop is how many destinations are kept for display; maxWarnings caps
// Warnings when a low threshold lets many destinations over it.
const (
	maxTop      = 50
	maxWarnings = 10
)

// Model is the churn panel. Its history and counts sit behind a pointer that
// copies share; keep one Model and replace it with what Observe returns.
type Model struct {
	styles    Styles
	ephemeral ports.Range
	threshold float64
	// scope is what the panel counts (SetScope), escaped; "" says nothing.
	scope string
	// others are the ranges of the other namespaces whose sockets the
	// panel is given (SetNetnsRanges), by inode; nil for one namespace.
	others map[uint64]ports.Range
	// names are their `ip netns` names, where they have one (raw).
	names map[uint64]string
	// own is porttop's namespace's inode (SetOwnNetns), 0 when unknown.
	own uint64
	s   *state
	// width and height are the area SetSize gave.
	width, height int
}

// state is the panel's bounded memory.
type state struct {
	hist ring
	// lastSec is the second of the previous Observe, 0 before the first.
	lastSec int64
	// dig is scratch for the digests Observe makes itself.
	dig Digester
	top []DestCount
	// blocked counts, per protocol, the range's ports bound by listeners or
	// unconnected sockets (dests.Blocked), which no connect() can take.
	blocked map[dests.Space]int
	// owners are who holds each top destination's ports, in top's order.
	owners   [][]ownerShare
	warnings []string
	// listeners is scratch for Observe, which has no shared listener set.
	listeners sampler.Listeners
	// failures are the failed hand-outs seen (see ObserveFailures).
	failures sampler.FailureTotals
}

// New makes a panel for the OS ephemeral range eph. threshold is the share of
// eph one destination may hold before a warning; a value outside (0, 1] (or
// NaN) means DefaultThreshold. Use ParseThreshold to check user input first.
func New(styles Styles, eph ports.Range, threshold float64) Model {
	if !(threshold > 0 && threshold <= 1) {
		threshold = DefaultThreshold
	}
	return Model{styles: styles, ephemeral: eph, threshold: threshold, s: newState()}
}

func newState() *state {
	return &state{}
}

// ParseThreshold reads a warning threshold as a share ("0.5") or a
// percentage ("50%"); it must be above 0 and at most 100%.
func ParseThreshold(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("threshold %q is not a number: write a share like 0.5 or a percentage like 50%%", s)
	}
	if pct {
		f /= 100
	}
	if math.IsNaN(f) || f <= 0 || f > 1 {
		return 0, fmt.Errorf("threshold %q is out of range: it must be above 0 and at most 1 (100%%)", s)
	}
	return f, nil
}

// Warnings are the destinations holding more than the threshold share of the
// ephemeral range, most first, at most 10, as sentences for a status line.
func (m Model) Warnings() []string {
	if m.s == nil {
		return nil
	}
	return slices.Clone(m.s.warnings)
}

// known reports whether the OS ephemeral range is known (ports.Range.Known).
func (m Model) known() bool { return m.ephemeral.Known() }

// full reports whether its namespace's ephemeral range is full for a
// destination: its ports and those bound by listeners or unconnected
// sockets leave a connect() to it no port to take (dests.IsFull).
func (m Model) full(dc DestCount) bool {
	return m.s != nil && dests.IsFull(dc.Ports, m.s.blocked[dc.Dest.Space()], m.rangeFor(dc.Dest.Netns))
}

// destShare is the share of its own namespace's range a destination's
// ports are (0 when that range is unknown).
func (m Model) destShare(dc DestCount) float64 {
	r := m.rangeFor(dc.Dest.Netns)
	if !r.Known() {
		return 0
	}
	return float64(dc.Ports) / float64(r.Size())
}

// share is n ports as a share of the ephemeral range (0 when it is unknown).
func (m Model) share(n int) float64 {
	if !m.known() {
		return 0
	}
	return float64(n) / float64(m.ephemeral.Size())
}
