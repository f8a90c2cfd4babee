package sockdiag

import "github.com/porttop/porttop/sampler"

// knownSetter is a resolver that can be told the owners a caller knows
// (procowner.Resolver.SetKnown).
type knownSetter interface {
	SetKnown(known func(socks []sampler.Socket))
}

// SetKnownOwners gives the source's /proc owner lookup a caller's
// knowledge of who holds some sockets: known fills PID and Process of the
// sockets it knows, before a walk of /proc is considered for them (see
// procowner.Resolver.SetKnown). A source that streams transitions
// (sampler/ebpf) knows the process that connected or listened: under
// churn its sockets make no walk. known is called from Sample's goroutine;
// nil: none.
func (s *Source) SetKnownOwners(known func(socks []sampler.Socket)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.owners.(knownSetter); ok {
		k.SetKnown(known)
	}
}
