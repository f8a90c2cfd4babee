// Package churn is porttop's churn panel: how fast local ports are handed out
// and released, how many sockets sit in TIME_WAIT, how full the OS ephemeral
// range is, and which remote destinations hold the most local ports. One
// destination holding most of the ephemeral range is how ephemeral-port
// exhaustion looks before connections start failing, so a destination above
// a threshold share (default 50%) is marked "⚠ WARN" and listed by Warnings.
//
// Every drawing has its number beside it: sparklines (▁▂▃▄▅▆▇█, blank for
// zero) show one column per second and are labelled with the value now and
// the maximum over the seconds shown; the gauge shows a percentage and the
// counts. Memory is fixed: a ring of 300 one-second buckets, plus a map of
// destinations rebuilt from each snapshot.
//
// API, for the parent model (value methods; copies share their counts):
//
//	st := churn.NewStyles(styles) // the screen's style.Styles
//	m := churn.New(st, ephemeralRange, 0.5)          // threshold: a share of the range, (0, 1]
//	m = m.Observe(batch.Snapshot, batch.Events, now) // on every batch
//	m, cmd = m.Update(msg)                           // keys while the panel has focus (none yet)
//	m.SetSize(width, height)                         // the area View draws into
//	s := m.View()                                    // never wider or taller than asked
//	for _, w := range m.Warnings() { ... }           // "tcp 10.0.0.5:5432 holds 16,210 local ports: 57% of the ephemeral range 32768-60999"
//
// ParseThreshold reads a --threshold flag ("0.5" or "50%"). Observe's now is
// whatever clock the feed runs on (a replay's time when replaying); when it
// steps back more than 5 s the history starts over.
// Like any bubbletea model it is for one goroutine: call it from Update and
// View, not from the goroutine that reads the feed.
package churn
