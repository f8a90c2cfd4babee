package sockettable

import "github.com/porttop/porttop/sampler"

// OwnerHiddenGlyph fills PROCESS for a socket that some process holds (it
// has an inode) but whose owner this user may not see. A socket no process
// holds, such as one in TIME_WAIT, stays blank.
const OwnerHiddenGlyph = "?"

// SetOwnersHidden says whether the source hides other users' processes
// (unprivileged, see sampler.Owners).
func (m *Model) SetOwnersHidden(hidden bool) { m.ownersHidden = hidden }

// OwnersHidden reports what SetOwnersHidden last said.
func (m Model) OwnersHidden() bool { return m.ownersHidden }

// process is the PROCESS cell: the name, the hidden-owner glyph, or blank.
func (m Model) process(s *sampler.Socket) string {
	if s.Process == "" && s.PID == 0 && s.Inode != 0 && m.ownersHidden {
		return OwnerHiddenGlyph
	}
	return s.Process
}
