package netns

import "github.com/porttop/porttop/sampler"

// SetKnownOwners gives the owners' /proc walk, shared by every namespace,
// a caller's knowledge of who holds some sockets (see
// sockdiag.Source.SetKnownOwners): the sockets known fills make no walk.
func (s *Source) SetKnownOwners(known func(socks []sampler.Socket)) {
	s.owners.SetKnown(known)
}
