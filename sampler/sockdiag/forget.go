package sockdiag

// Forget drops what the Source keeps between samples: its last sample's
// rows kept for a partial sample, their copy, and the spare memory handed
// back, so a caller reading the table another way for a while (as
// sampler/netns does with one walk of every namespace) holds no copy of
// it here. The next sample is a full dump.
func (s *Source) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.part.prev.forget()
	s.part.own = nil
	s.part.refOK = false
	s.spare = nil
}
