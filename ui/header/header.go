// Package header renders porttop's top lines: where it runs, the OS
// ephemeral range and how full it is, counts per port range, hand-out and
// release rates, how sampling goes, and any notes or losses. Its figures are
// machine-wide even when the table is filtered.
package header

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
	"github.com/porttop/porttop/ui/internal/words"
	"github.com/porttop/porttop/ui/safe"
	"github.com/porttop/porttop/ui/style"
)

// Info is everything the header shows.
type Info struct {
	Host, OS        string
	Ephemeral       ports.Range
	EphemeralSource string
	Counts          Counts
	// Fullest is the other network namespace using the most of its own
	// ephemeral range (FullestNamespace); nil when none is read.
	Fullest *Fullest
	// Warn is the share of a range (0-1] over which the header warns of
	// it (--warn; 0: DefaultWarn). Porttop's own range and the fullest
	// namespace's are each judged against their own size.
	Warn float64
	// OpenedPerSec and ClosedPerSec are local ports handed out and released
	// per second: accepted connections, which share their listener's port,
	// are not counted.
	OpenedPerSec float64
	ClosedPerSec float64
	Interval     time.Duration // in force (from the batch), else requested
	Requested    time.Duration // 0: adaptive
	Cost         time.Duration
	// FocusInterval and FocusCost describe the filtered view's own,
	// kernel-narrowed sampling; 0 when it has none.
	FocusInterval, FocusCost time.Duration
	// Shown is how often the view takes a new batch in when a big table
	// makes that slower than sampling (0 otherwise): the table and the
	// panels are redrawn from the newest sample that often.
	Shown    time.Duration
	Source   string
	Notes    []string
	Warnings []string // e.g. one destination holding most of the ephemeral range
	Dropped  uint64
	// Failures are the hand-outs that failed for want of a port since
	// porttop started (only the ebpf source sees them).
	Failures sampler.FailureTotals
	// OwnNetns is porttop's network namespace's inode (0: unknown): a
	// failure in another is named with its namespace.
	OwnNetns uint64
	// KernelOpened is the kernel's TCP opens since porttop started; nil when
	// the source cannot read them. Reported is the TCP connections porttop
	// saw opened (listeners and UDP left out, as the kernel counts).
	KernelOpened *uint64
	Reported     uint64
	Err          error
	Badges       []string // PAUSED, REPLAY 2x 10/300
	Waiting      bool     // no batch yet
}

// View renders the header in width cells.
func View(st style.Styles, in Info, width int) string {
	var lines []string
	title := st.Title.Render("porttop")
	where := safe.Text(in.Host)
	if in.OS != "" {
		where += " (" + safe.Text(in.OS) + ")"
	}
	l1 := []string{title, st.Text.Render(where)}
	if in.Source != "" {
		l1 = append(l1, st.Muted.Render("source ")+st.Text.Render(safe.Text(in.Source)))
	}
	l1 = append(l1, st.Muted.Render("sample ")+st.Text.Render(sampling(in)))
	lines = append(lines, withBadges(st, strings.Join(l1, "  "), in.Badges, width))

	c := in.Counts
	var eph string
	known := in.Ephemeral.Known()
	if !known {
		eph = st.Warning.Render("OS ephemeral range unknown")
	} else {
		eph = st.Ephemeral.Render("OS ephemeral "+in.Ephemeral.String()) + st.Muted.Render(": ")
		useStyle, mark := st.Text, ""
		if c.EphemeralPercent() >= FillWarnPercent {
			useStyle, mark = st.Warning, FillMark // the mark says it without colour
		}
		eph += useStyle.Render(fmt.Sprintf("%d in use of %d (%s)%s", c.EphemeralPortsInUse, in.Ephemeral.Size(), percent(c.EphemeralPercent()), mark))
	}
	eph += "  " + st.Opened.Render(fmt.Sprintf("+%.1f/s", in.OpenedPerSec)) + st.Muted.Render(" handed out") +
		"  " + st.Closed.Render(fmt.Sprintf("-%.1f/s", in.ClosedPerSec)) + st.Muted.Render(" released")
	if in.EphemeralSource != "" {
		eph += st.Muted.Render("  (range from " + in.EphemeralSource + ")")
	}
	lines = append(lines, eph)
	// The fullest other namespace has a line of its own: beside the
	// rates, a narrow terminal cut one or the other.
	if f := in.Fullest; f != nil {
		fs, mark := st.Text, ""
		if f.Percent() >= FillWarnPercent {
			fs, mark = st.Warning, FillMark
		}
		fl := st.Muted.Render("fullest netns ") + st.Text.Render(safe.Text(f.Label)) + st.Muted.Render(" ") +
			st.Ephemeral.Render(f.Range.String()) + st.Muted.Render(": ") +
			fs.Render(fmt.Sprintf("%d of %d (%s)%s", f.InUse, f.Range.Size(), percent(f.Percent()), mark))
		lines = append(lines, fl)
	}

	if in.Waiting {
		lines = append(lines, st.Muted.Render("waiting for the first sample…"))
	} else {
		counts := []string{
			st.Text.Render(fmt.Sprintf("%d %s:", c.Sockets, words.Plural(c.Sockets, "socket"))),
			st.WellKnown.Render(fmt.Sprintf("well-known %d", c.WellKnown)),
			st.Registered.Render(fmt.Sprintf("registered %d", c.Registered)),
			st.Dynamic.Render(fmt.Sprintf("dynamic %d", c.Dynamic)),
		}
		if known {
			counts = append(counts, st.Ephemeral.Render(fmt.Sprintf("in OS ephemeral range %d", c.InEphemeral)))
		}
		lines = append(lines, strings.Join(counts, "  "))
	}
	if in.KernelOpened != nil {
		k := fmt.Sprintf("TCP connections opened: kernel %d, porttop saw %d", *in.KernelOpened, in.Reported)
		s := st.Muted
		if *in.KernelOpened > in.Reported {
			k += fmt.Sprintf(" (%d missed)", *in.KernelOpened-in.Reported)
		}
		lines = append(lines, s.Render(k))
	}
	if in.Dropped > 0 {
		lines = append(lines, st.Warning.Render(fmt.Sprintf("! %d %s dropped: the display fell behind", in.Dropped, words.Plural(in.Dropped, "event"))))
	}
	if f := FailureLine(in.Failures, in.OwnNetns); f != "" {
		lines = append(lines, st.Warning.Render("! "+f))
	}
	if in.Err != nil {
		lines = append(lines, st.Error.Render("! sampling failed: "+in.Err.Error()))
	}
	if w := fullerNamespace(in); w != "" {
		lines = append(lines, st.Warning.Render("! "+w))
	}
	for _, w := range in.Warnings {
		lines = append(lines, st.Warning.Render("! "+w))
	}
	for _, n := range in.Notes {
		lines = append(lines, st.Warning.Render("note: ")+st.Muted.Render(n))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}

// withBadges ends line with the badges (PAUSED, REPLAY paused). They say
// the screen is not live, so they win: when the line is too wide, the rest
// of it is cut to make room, not them.
func withBadges(st style.Styles, line string, badges []string, width int) string {
	if len(badges) == 0 {
		return line
	}
	rendered := make([]string, len(badges))
	for i, b := range badges {
		rendered[i] = st.Badge.Render(b)
	}
	tail := strings.Join(rendered, "  ")
	room := width - ansi.StringWidth(tail) - 2
	if ansi.StringWidth(line) <= room {
		return line + "  " + tail
	}
	if room < 8 { // not even a few cells of the rest: the badges alone
		return tail
	}
	return ansi.Truncate(line, room, "…") + "  " + tail
}

// percent writes a share so that a small non-zero one does not read as 0.
func percent(p float64) string {
	if p > 0 && p < 0.1 {
		return "<0.1%"
	}
	return fmt.Sprintf("%.1f%%", p)
}

func sampling(in Info) string {
	var s string
	switch {
	case in.Interval > 0:
		s = "every " + roundDuration(in.Interval).String()
	case in.Requested > 0:
		s = "every " + roundDuration(in.Requested).String()
	default:
		s = "adaptive"
	}
	switch {
	case in.Requested > 0 || in.Interval <= 0:
	case in.FocusInterval > 0:
		s += " (background)" // the filtered view's own sampling has the 5%
	default:
		s += " (adaptive)"
	}
	if in.Cost > 0 {
		s += ", took " + in.Cost.Round(10*time.Microsecond).String()
	}
	if in.Shown > 0 {
		s += "; shown every " + roundDuration(in.Shown).String()
	}
	if in.FocusInterval > 0 {
		s += "; filtered view every " + roundDuration(in.FocusInterval).String()
		if in.FocusCost > 0 {
			s += ", took " + in.FocusCost.Round(10*time.Microsecond).String()
		}
	}
	return s
}

// roundDuration keeps two or three significant figures: an adaptive
// interval of 100.000001ms reads as 100ms.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// FillWarnPercent is the share of a range in use, in percent, from which
// the exhaustion line marks it (FillMark, and the warning colour).
const FillWarnPercent = 80

// FillMark ends a figure at FillWarnPercent or over, so that it reads as
// a warning without colour (NO_COLOR).
const FillMark = " ⚠"

// DefaultWarn is Info.Warn when it is not set: the churn panel's default
// WARN share (churn.DefaultThreshold).
const DefaultWarn = 0.5

// fullerNamespace is the warning the header gives when another network
// namespace uses more of its own range than porttop's namespace uses of
// its, and more than the Warn share: it names the namespace (escaped), its
// range and figures, and porttop's for comparison, so the line says which
// namespace is running out where porttop's own figures look calm. "" when
// none is.
func fullerNamespace(in Info) string {
	f := in.Fullest
	if f == nil || !f.Range.Known() {
		return ""
	}
	warn := in.Warn
	if !(warn > 0 && warn <= 1) {
		warn = DefaultWarn
	}
	own := in.Counts.EphemeralPercent()
	if !in.Ephemeral.Known() {
		own = 0
	}
	if f.Percent() <= own || f.Percent() <= 100*warn {
		return ""
	}
	s := fmt.Sprintf("netns %s is running out of its own ephemeral range %s: %d of its %d ports in use (%s, over the %s warning level)",
		safe.Text(f.Label), f.Range, f.InUse, f.Range.Size(), percent(f.Percent()), percent(100*warn))
	if in.Ephemeral.Known() {
		s += fmt.Sprintf(", porttop's netns %s of %s", percent(own), in.Ephemeral)
	}
	if f.InUse >= f.Range.Size() {
		s += ": a new connect() in it can fail with EADDRNOTAVAIL"
	}
	return s
}
