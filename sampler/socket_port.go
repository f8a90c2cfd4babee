package sampler

// UsesPort reports whether the socket uses port p at either end: as its
// local port, or as its remote port when it has a remote end. Nothing uses
// port 0: a socket shows local port 0 only before it has a port, and a
// listener's remote port 0 means it has no remote end.
func (s *Socket) UsesPort(p uint16) bool {
	if p == 0 {
		return false
	}
	return s.Local.Port() == p || (s.Remote.IsValid() && s.Remote.Port() == p)
}
