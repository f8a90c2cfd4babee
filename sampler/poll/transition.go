package poll

import (
	"time"

	"github.com/porttop/porttop/sampler"
)

// Transition reconciles one TCP state change the kernel reported (see
// sampler.TransitionWatcher) with base and what releases and transitions
// did to it since, and appends the events it makes to events: the state
// change of a socket the table holds, exactly as the kernel made it and at
// the moment it did. The socket is found by its addresses (a transition
// carries no cookie; the sample's row gives it).
//
// It guesses nothing: a change TCP's state machine does not allow, or one
// from a state the table does not hold the socket in, is a disagreement
// between the kernel's events and the snapshots, counted (see
// Disagreements) and left for the next sample to settle. Opens come with
// the sample that first holds the socket (with its cookie); closes and
// TIME_WAIT with the kernel's release reports, which name the socket by
// cookie; a transition to CLOSE only checks that the two agree.
func (r *Reconciler) Transition(now time.Time, t sampler.Transition, events []sampler.Event) []sampler.Event {
	if t.Proto != sampler.TCP || !r.sampled {
		return events
	}
	at := t.At
	if at.IsZero() {
		at = now
	}
	if !sampler.ValidTransition(t.From, t.To) {
		r.disagreements++
		return events
	}
	if t.Cookie != 0 {
		return r.transitionByCookie(at, t, events)
	}
	if t.From == sampler.StateClose || t.From == sampler.StateListen && t.To == sampler.StateSynRecv {
		return events // a new socket: the next sample holds it, with its cookie
	}
	if !r.baseIndex.built {
		r.baseIndex.build(r.base.Sockets)
	}
	i, ok := r.baseIndex.live.find(r.base.Sockets, sampler.ID{Proto: sampler.TCP, Local: t.Local, Remote: t.Remote})
	if !ok {
		return events // opened since the last sample: the next one tells
	}
	s := r.base.Sockets[i]
	id := releaseKey(s.ID)
	if a, ok := r.adjust.get(id); ok {
		if a.gone {
			return events // released already
		}
		s = a.socket
	}
	switch {
	case s.State == t.To, sampler.TCPCanReach(t.To, s.State):
		return events // the sample (or a release) was already there or further on
	case s.State != t.From:
		r.disagreements++
		return events
	case t.To == sampler.StateClose:
		return events // the release report closes it, by cookie
	}
	r.audit.endHandshake(s.ID, t.To)
	prev := s.State
	s.State = t.To
	if r.adjust.len() < recentGoneLimit {
		r.setAdjust(id, adjustment{socket: s})
	}
	return append(events, sampler.Event{Kind: sampler.StateChanged, Time: at, Socket: s, PrevState: prev})
}

// Disagreements counts the kernel transitions the table contradicted since
// the start (see Transition).
func (r *Reconciler) Disagreements() uint64 { return r.disagreements }
