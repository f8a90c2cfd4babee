package sampler

import "sync/atomic"

// HeapNotes is told, by the holders of the sampler's big buffers, when one
// is about to be made and when one was let go: a whole connection table is
// 17 MB at 100k sockets, and a check holds two for a moment. The garbage
// collector's pacing alone sizes the heap by what was live at the last
// collection: one that falls inside a check sets the goal from two tables
// (watch kept ~150 MB resident for a live heap of ~65 MB between checks:
// MEMORY.md). A program's memory tuning (cmd/porttop's gc.go) may collect
// at these moments instead. The calls come from the sampler's goroutines,
// Making before the allocation (it may block its caller while it
// collects), LetGo just after; both must be cheap when nothing is due.
type HeapNotes interface {
	Making(bytes int)
	LetGo(bytes int)
}

var heapNotes atomic.Pointer[HeapNotes]

// SetHeapNotes installs n process-wide (nil: none, the default).
func SetHeapNotes(n HeapNotes) {
	if n == nil {
		heapNotes.Store(nil)
		return
	}
	heapNotes.Store(&n)
}

// NoteMaking tells the installed HeapNotes that a buffer of about bytes is
// about to be made.
func NoteMaking(bytes int) {
	if n := heapNotes.Load(); n != nil {
		(*n).Making(bytes)
	}
}

// NoteLetGo tells the installed HeapNotes that a buffer of about bytes was
// just let go.
func NoteLetGo(bytes int) {
	if n := heapNotes.Load(); n != nil {
		(*n).LetGo(bytes)
	}
}
