package sampler

import (
	"testing"
	"unsafe"
)

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

// Refill notes a new table of 10,000 sockets or more before making it (a
// check's dump under the ebpf source), and nothing when the spare handed
// back has room or the table is small.
func TestRefillNotesABigNewTable(t *testing.T) {
	var l noteLog
	SetHeapNotes(&l)
	defer SetHeapNotes(nil)
	big := Refill(nil, 100_000)
	Refill(big, 100_000)
	Refill(nil, 100)
	if want := cap(big) * int(unsafe.Sizeof(Socket{})); len(l.making) != 1 || l.making[0] != want {
		t.Errorf("notes of tables made: %v, want [%d]", l.making, want)
	}
}
