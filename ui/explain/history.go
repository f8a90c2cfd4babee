package explain

import (
	"fmt"

	"github.com/porttop/porttop/sampler/history"
	"github.com/porttop/porttop/ui/safe"
)

// historyParas tells what this porttop run saw of the port.
func historyParas(in Input) []para {
	h := in.History
	if h == nil {
		return nil
	}
	started := "since porttop started"
	if !in.Started.IsZero() {
		started += " at " + clock(in.Started, in.Now)
	}
	if h.HandedOut == 0 && h.LastSeen.IsZero() {
		return []para{text(fmt.Sprintf("This run: not seen in use %s.", started))}
	}
	var s string
	switch {
	case h.HandedOut == 0 && h.Accepted == 0:
		s = fmt.Sprintf("This run: no new socket was opened on port %d %s", in.Port, started)
	case h.HandedOut == 0:
		s = fmt.Sprintf("This run: port %d was not handed out %s", in.Port, started)
	case h.HandedOut == 1:
		s = fmt.Sprintf("This run: port %d was handed out once %s", in.Port, started)
	default:
		s = fmt.Sprintf("This run: port %d was handed out %d times %s", in.Port, h.HandedOut, started)
	}
	if h.TotalHeld > 0 {
		s += fmt.Sprintf(", held for %s in all", duration(h.TotalHeld))
	}
	s += "."
	if h.Accepted > 0 {
		s += fmt.Sprintf(" Its listener accepted %s on it; those share the listener's port, so they are not hand-outs.",
			connections(h.Accepted))
	}
	lastFree := !h.LastFree.IsZero()
	if h.InUse == 0 && !h.LastSeen.IsZero() {
		s += " Last seen in use at " + clock(h.LastSeen, in.Now)
		if by := useOwner(h.LastUse); by != "" {
			s += " by " + by
		}
		if lastFree && h.LastFree.Equal(h.LastSeen) {
			s += ", when it became free"
			lastFree = false
		}
		s += "."
	}
	if lastFree {
		s += " It last became free at " + clock(h.LastFree, in.Now) + "."
	}
	out := []para{text(s)}
	if len(h.Recent) > 0 {
		out = append(out, text("Recent uses, newest first:"))
		for _, u := range h.Recent {
			out = append(out, bullet(useLine(u, in)))
		}
	}
	if h.DetailLost {
		out = append(out, text("(porttop keeps details for a limited number of ports, so older uses of "+
			"this one were dropped; the counts and times above are complete.)"))
	}
	return out
}

func useOwner(u history.Use) string {
	switch {
	case u.Process != "" && u.PID != 0:
		return fmt.Sprintf("%s (pid %d)", safe.Text(u.Process), u.PID)
	case u.PID != 0:
		return fmt.Sprintf("pid %d", u.PID)
	}
	return safe.Text(u.Process)
}

func useLine(u history.Use, in Input) string {
	var s string
	switch {
	case u.Opened.IsZero() && u.Closed.IsZero():
		s = "at an unknown time"
	case u.Closed.IsZero():
		s = "from " + clock(u.Opened, in.Now) + ", still open"
	case u.Opened.IsZero():
		s = "until " + clock(u.Closed, in.Now)
	default:
		s = clock(u.Opened, in.Now) + " to " + clock(u.Closed, in.Now)
	}
	if u.Held > 0 {
		s += " (" + duration(u.Held) + ")"
	}
	if by := useOwner(u); by != "" {
		s += ": " + by
	} else {
		s += ": owner unknown"
	}
	switch {
	case u.Remote.IsValid() && u.Remote.Port() != 0 && u.Accepted:
		s += ", accepted from " + u.Remote.String()
	case u.Remote.IsValid() && u.Remote.Port() != 0:
		s += ", to " + u.Remote.String()
	}
	if st := u.State.String(); st != "" {
		s += ", " + st
	}
	return s
}

func connections(n int) string {
	if n == 1 {
		return "1 connection"
	}
	return fmt.Sprintf("%d connections", n)
}
