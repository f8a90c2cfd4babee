package history

import (
	"slices"
	"time"
)

// merge combines the tcp and udp histories of one port number.
func merge(a, b PortHistory) PortHistory {
	h := PortHistory{
		HandedOut:  a.HandedOut + b.HandedOut,
		Accepted:   a.Accepted + b.Accepted,
		InUse:      a.InUse + b.InUse,
		LastSeen:   later(a.LastSeen, b.LastSeen),
		LastFree:   later(a.LastFree, b.LastFree),
		TotalHeld:  a.TotalHeld + b.TotalHeld,
		DetailLost: a.DetailLost || b.DetailLost,
		LastUse:    a.LastUse,
	}
	if b.LastSeen.After(a.LastSeen) {
		h.LastUse = b.LastUse
	}
	h.Recent = append(append([]Use(nil), a.Recent...), b.Recent...)
	// Newest first by the latest thing that happened to each use.
	sortNewestFirst(h.Recent)
	if len(h.Recent) > RecentUses {
		h.Recent = h.Recent[:RecentUses]
	}
	if len(h.Recent) == 0 {
		h.Recent = nil
	} else {
		h.LastUse = h.Recent[0]
	}
	return h
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func lastMoment(u Use) time.Time { return later(u.Opened, u.Closed) }

func sortNewestFirst(uses []Use) {
	slices.SortStableFunc(uses, func(a, b Use) int { return lastMoment(b).Compare(lastMoment(a)) })
}
