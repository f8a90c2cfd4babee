package sockettable

import (
	"testing"

	"github.com/porttop/porttop/sampler"
)

// A socket no process holds any more names the one that last held it in
// parentheses, whatever state it is closing through; one a process holds
// names it plainly; a hidden owner is "?".
func TestProcessCell(t *testing.T) {
	cell := func(st sampler.State, pid int32, name string, inode uint64, gone, hidden bool) string {
		var m Model
		m.SetOwnersHidden(hidden)
		s := sampler.Socket{State: st, Owner: sampler.Owner{PID: pid, Process: name, Gone: gone}, Inode: uint32(inode)}
		return m.process(&s)
	}
	for _, c := range []struct {
		name string
		got  string
		want string
	}{
		{"held", cell(sampler.StateEstablished, 7, "curl", 9, false, false), "curl"},
		{"TIME_WAIT, last owner known", cell(sampler.StateTimeWait, 7, "curl", 0, true, false), "(curl)"},
		{"FIN_WAIT2 orphan", cell(sampler.StateFinWait2, 7, "curl", 0, true, false), "(curl)"},
		{"LAST_ACK orphan", cell(sampler.StateLastAck, 7, "curl", 0, true, false), "(curl)"},
		{"TIME_WAIT, never owned", cell(sampler.StateTimeWait, 0, "", 0, false, false), ""},
		{"hidden owner", cell(sampler.StateEstablished, 0, "", 9, false, true), OwnerHiddenGlyph},
	} {
		if c.got != c.want {
			t.Errorf("%s: PROCESS %q, want %q", c.name, c.got, c.want)
		}
	}
}
