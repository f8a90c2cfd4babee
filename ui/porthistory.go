package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/porttop/porttop/sampler/history"
	"github.com/porttop/porttop/ui/safe"
	"github.com/porttop/porttop/ui/sockettable"
)

// historyDetailedPorts bounds the tracker's per-use detail (its exact
// per-port counts are fixed arrays, bounded by construction).
const historyDetailedPorts = 4096

func newPortHistory() *history.Tracker { return history.NewTracker(historyDetailedPorts) }

// historyLines tells what this run saw of a port, for the free-port answer
// and the explain pane.
func historyLines(h history.PortHistory, started time.Time, now time.Time) []string {
	if h.LastSeen.IsZero() {
		return []string{"Not seen in use since porttop started at " + started.Format("15:04:05") + "."}
	}
	var out []string
	last := "Last seen in use at " + h.LastSeen.Format("15:04:05")
	if who := useOwner(h.LastUse); who != "" {
		last += " by " + who
	}
	last += remoteText(h.LastUse)
	out = append(out, last+".")
	if h.InUse > 0 {
		out = append(out, "In use now by "+plural(h.InUse, "socket")+".")
	} else if !h.LastFree.IsZero() {
		out = append(out, "Free since "+h.LastFree.Format("15:04:05")+" ("+sockettable.FormatAge(now.Sub(h.LastFree))+" ago).")
	}
	switch {
	case h.HandedOut > 0 && h.TotalHeld > 0:
		out = append(out, fmt.Sprintf("Handed out %s this run, held %s in all.", times(h.HandedOut), sockettable.FormatAge(h.TotalHeld)))
	case h.HandedOut > 0:
		out = append(out, fmt.Sprintf("Handed out %s this run.", times(h.HandedOut)))
	}
	if h.Accepted > 0 {
		out = append(out, fmt.Sprintf("Its listener accepted %s (they share its port: not hand-outs).", plural(h.Accepted, "connection")))
	}
	if len(h.Recent) > 1 {
		out = append(out, "Recent uses, newest first:")
		for _, u := range h.Recent {
			out = append(out, "  "+useLine(u))
		}
	}
	if h.DetailLost {
		out = append(out, "(older per-use detail was dropped to bound memory; the counts are exact)")
	}
	return out
}

func useOwner(u history.Use) string {
	switch {
	case u.Process != "" && u.PID > 0:
		return fmt.Sprintf("%s (pid %d)", safe.Text(u.Process), u.PID)
	case u.Process != "":
		return safe.Text(u.Process)
	case u.PID > 0:
		return fmt.Sprintf("pid %d", u.PID)
	}
	return ""
}

func useLine(u history.Use) string {
	var b strings.Builder
	if !u.Opened.IsZero() {
		b.WriteString(u.Opened.Format("15:04:05"))
	} else {
		b.WriteString("before start")
	}
	if who := useOwner(u); who != "" {
		b.WriteString(" " + who)
	}
	b.WriteString(remoteText(u))
	if u.Closed.IsZero() {
		b.WriteString(" still open")
		if s := u.State.String(); s != "" {
			b.WriteString(" " + s)
		}
	} else {
		b.WriteString(" held " + sockettable.FormatAge(u.Held))
	}
	return b.String()
}

// remoteText is the use's other end: where it connected to, or, for an
// accepted connection, the client it came from.
func remoteText(u history.Use) string {
	switch {
	case !u.Remote.IsValid() || u.Remote.Port() == 0:
		return ""
	case u.Accepted:
		return " accepted from " + sockettable.FormatAddr(u.Remote)
	}
	return " -> " + sockettable.FormatAddr(u.Remote)
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
