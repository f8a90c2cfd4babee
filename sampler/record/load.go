package record

import (
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/porttop/porttop/sampler"
)

// Replay holds a whole recording in memory so that it can restart and step;
// these bounds keep that memory sane (an event takes a few tens of bytes,
// deflated: see eventStore).
const (
	MaxReplayEvents = 500_000
	MaxReplayBytes  = 256 << 20
)

// Recording is a stream read whole: its header and events in time order,
// held compactly (Len, Event, Events).
type Recording struct {
	Header Header
	events *eventStore
	// Ranges are the stream's range changes in time order (see RangeChange);
	// before the first, Header.Ephemeral is in force.
	Ranges []RangeChange
	// NetnsRanges are the other network namespaces' range lines
	// (netns_ephemeral_range) in time order, each naming its namespace:
	// from its time on, that namespace's sockets are judged against it.
	NetnsRanges []RangeChange
}

// LoadFile reads a recording from a file, refusing one too big to replay.
// A pipe (FIFO) is read as a stream to its end.
func LoadFile(path string) (*Recording, error) {
	o, err := OpenFile(path)
	if err != nil {
		return nil, err
	}
	return o.Load()
}

// Opened is a recording file whose header has been read: cheap checks
// done, the events not yet loaded.
type Opened struct {
	f  *os.File
	rd *Reader
}

// OpenFile opens a recording and reads its header line, refusing a
// directory and a file too big to replay. On a FIFO it waits for a writer.
func OpenFile(path string) (*Opened, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			f.Close()
			return nil, fmt.Errorf("it is a directory, not a recording")
		}
		if fi.Size() > MaxReplayBytes {
			f.Close()
			return nil, fmt.Errorf("it is %d MiB; replay reads a recording into memory and takes at most %d MiB: cut it first (e.g. head -n %d)",
				fi.Size()>>20, MaxReplayBytes>>20, MaxReplayEvents+1)
		}
	}
	rd, err := NewReader(&capped{r: f, left: MaxReplayBytes})
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Opened{f: f, rd: rd}, nil
}

// Header is the recording's header.
func (o *Opened) Header() Header { return o.rd.Header() }

// Load reads the events and closes the file.
func (o *Opened) Load() (*Recording, error) {
	defer o.f.Close()
	return load(o.rd)
}

// Close closes the file without loading it.
func (o *Opened) Close() error { return o.f.Close() }

// Load reads a whole recording, at most MaxReplayEvents events. Each socket's
// Since is filled from the events seen before it, so a replayed table can say
// how long a socket has been held.
func Load(r io.Reader) (*Recording, error) {
	rd, err := NewReader(&capped{r: r, left: MaxReplayBytes})
	if err != nil {
		return nil, err
	}
	return load(rd)
}

func load(rd *Reader) (*Recording, error) {
	rec := &Recording{Header: rd.Header()}
	rd.keepNetns = true
	since := map[sampler.ID]sampler.Stamp{}
	store := newStoreBuilder()
	var last time.Time
	inOrder := true
	var all []sampler.Event // only once the lines turn out of time order
	for {
		e, err := rd.Next()
		rec.Ranges = rangesRead(rec.Ranges, rd)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if store.store.n+len(all) == MaxReplayEvents {
			return nil, fmt.Errorf("the recording holds more than %d events; replay reads a recording into memory: cut it first (e.g. head -n %d)",
				MaxReplayEvents, MaxReplayEvents+1)
		}
		id := e.Socket.ID
		switch e.Kind {
		case sampler.Opened:
			since[id] = e.Socket.Since
		case sampler.StateChanged:
			if t, ok := since[id]; ok {
				e.Socket.Since = t
			} else {
				e.Socket.Since = sampler.StampOf(e.Time)
				since[id] = e.Socket.Since
			}
		case sampler.Closed:
			delete(since, id)
		}
		if inOrder && e.Time.Before(last) {
			// Lines are written in time order; a hand-edited file might
			// not be: such a file is sorted whole, in memory.
			inOrder = false
			if all, err = store.all(); err != nil {
				return nil, err
			}
			store = newStoreBuilder()
		}
		last = e.Time
		if inOrder {
			err = store.add(e)
		} else {
			all = append(all, e)
		}
		if err != nil {
			return nil, err
		}
	}
	if !inOrder {
		slices.SortStableFunc(all, func(a, b sampler.Event) int { return a.Time.Compare(b.Time) })
		for _, e := range all {
			if err := store.add(e); err != nil {
				return nil, err
			}
		}
	}
	var err error
	if rec.events, err = store.done(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(rec.Ranges, func(a, b RangeChange) int { return a.Time.Compare(b.Time) })
	rec.Ranges = compactRanges(rec.Ranges, rec.Header.Ephemeral)
	rec.NetnsRanges = rd.netnsLog
	slices.SortStableFunc(rec.NetnsRanges, func(a, b RangeChange) int { return a.Time.Compare(b.Time) })
	return rec, nil
}

// NewRecording is a recording of events already in memory, in time order
// (tests, and callers that make events rather than read them).
func NewRecording(h Header, events []sampler.Event) (*Recording, error) {
	st, err := storeOf(events)
	if err != nil {
		return nil, err
	}
	return &Recording{Header: h, events: st}, nil
}

// Len is the number of events.
func (rec *Recording) Len() int {
	if rec.events == nil {
		return 0
	}
	return rec.events.Len()
}

// Event is event i, 0 <= i < Len.
func (rec *Recording) Event(i int) sampler.Event { return rec.events.At(i) }

// Events are all the events, decoded into one slice: for tests and short
// recordings; the player decodes a block at a time.
func (rec *Recording) Events() []sampler.Event {
	if rec.events == nil {
		return nil
	}
	return rec.events.Slice(0, rec.events.Len())
}

// capped fails, rather than silently stopping, past its limit.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("the recording is larger than %d MiB; replay reads a recording into memory: cut it first (e.g. head -n %d)",
			MaxReplayBytes>>20, MaxReplayEvents+1)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
