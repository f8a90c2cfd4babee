package sampler

import "unsafe"

// Recycler is implemented by feeds that can reuse the memory of a snapshot
// once its consumer is done with it (poll.Poller does). The protocol: for every
// batch received from Next, call Recycle(batch.Snapshot) exactly once, when
// nothing reads that batch's Sockets any more (the next batch has replaced
// it on screen, or it has been written out). After the call the consumer
// must not touch those Sockets: the feed may hand the slice back to its
// source, which overwrites it. A consumer that never calls Recycle stays
// correct; it only gets no reuse. Safe from any goroutine.
type Recycler interface {
	Recycle(Snapshot)
}

// EventRecycler is implemented by feeds that can reuse the memory of a
// batch's Events once its consumer is done with them (poll.Poller does):
// call RecycleEvents(batch.Events) at most once per batch, when nothing
// reads them any more (they have been written out); the feed then fills
// that slice with a later batch's events. Under churn a batch's events
// were the poller's largest allocation (a new slice each batch, 100 a
// second). Optional, as Recycle is. Safe from any goroutine.
type EventRecycler interface {
	RecycleEvents([]Event)
}

// SocketRecycler is implemented by sources that can fill a slice handed back
// to them instead of allocating one per Sample. The poller calls Recycle from
// its own goroutine (the one that calls Sample), and only with slices that
// neither it nor the consumer references any more.
type SocketRecycler interface {
	Recycle([]Socket)
}

// Refill is the memory for a snapshot of about last sockets (the last
// one's count): spare, handed back through SocketRecycler, when it has room
// for them and a little more (1/32), else a new slice with room to grow
// (1/8). The two bounds keep a table that grows by a few sockets a sample
// from allocating a new slice every time it outgrows a recycled one. A new
// slice of refillNoteRows or more is noted first (NoteMaking): under the
// ebpf source each check's dump makes one (the whole table came back
// between checks and was let go), while the base table is alive.
func Refill(spare []Socket, last int) []Socket {
	if cap(spare) >= last+last/32+16 {
		return spare[:0]
	}
	n := last + last/8 + 16
	if n >= refillNoteRows {
		NoteMaking(n * int(unsafe.Sizeof(Socket{})))
	}
	return make([]Socket, 0, n)
}

// refillNoteRows is the smallest new slice Refill notes (~1.7 MB).
const refillNoteRows = 10_000
