package sockdiag

import (
	"fmt"

	"github.com/porttop/porttop/sampler"
)

var _ sampler.Noter = (*Source)(nil)

// Notes are header lines on what this source could not do as asked: release
// reports the kernel dropped, a port filter the kernel refused.
func (s *Source) Notes() []string {
	var notes []string
	if n := s.lost.Load(); n > 0 {
		notes = append(notes, fmt.Sprintf("release reports lost %d times (kernel buffer full): some closes show at the next poll", n))
	}
	s.mu.Lock()
	refused := s.refused.bytecode && len(s.query.Ports) > 0
	s.mu.Unlock()
	if refused {
		notes = append(notes, "kernel refused the port filter: filtering ports in porttop")
	}
	return notes
}
