package sampler

import "testing"

type noteLog struct{ making, letGo []int }

func (l *noteLog) Making(n int) { l.making = append(l.making, n) }
func (l *noteLog) LetGo(n int)  { l.letGo = append(l.letGo, n) }

// The notes reach the installed HeapNotes, and nothing once it is removed.
func TestHeapNotesReachTheInstalledListener(t *testing.T) {
	var l noteLog
	SetHeapNotes(&l)
	NoteMaking(100)
	NoteLetGo(200)
	SetHeapNotes(nil)
	NoteMaking(300)
	NoteLetGo(400)
	if len(l.making) != 1 || l.making[0] != 100 || len(l.letGo) != 1 || l.letGo[0] != 200 {
		t.Errorf("notes heard: making %v, let go %v; want [100] and [200]", l.making, l.letGo)
	}
}
