package sockettable

import (
	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/ui/safe"
)

// OwnerHiddenGlyph fills PROCESS for a socket that some process holds (it
// has an inode) but whose owner this user may not see. A socket no process
// holds, such as one in TIME_WAIT, is not marked so (see process).
const OwnerHiddenGlyph = "?"

// SetOwnersHidden says whether the source hides other users' processes
// (unprivileged, see sampler.Owners).
func (m *Model) SetOwnersHidden(hidden bool) { m.ownersHidden = hidden }

// OwnersHidden reports what SetOwnersHidden last said.
func (m Model) OwnersHidden() bool { return m.ownersHidden }

// process is the PROCESS cell: the name, the hidden-owner glyph, or blank.
// A socket no process holds any more (TIME_WAIT, or closing after its
// program closed it) shows the name of the one that held it last in
// parentheses: who is making the TIME_WAIT pile, without claiming it still
// holds the port (sampler.Owner.Label).
func (m Model) process(s *sampler.Socket) string {
	if s.Process == "" && s.PID == 0 && s.Inode != 0 && m.ownersHidden {
		return OwnerHiddenGlyph
	}
	o := s.Owner
	o.Process = safe.Text(o.Process)
	return o.Label()
}

// LastOwner marks the name of a process that no longer holds a socket, as
// sampler.Owner.Label does.
func LastOwner(name string) string { return sampler.Owner{Process: name, Gone: true}.Label() }
