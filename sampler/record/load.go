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
// these bounds keep that memory sane. A loaded event keeps about 240 bytes
// (sampler.Event is 232; BenchmarkLoadMemory measures it), so the most
// events take about 120 MB; loading peaks at about twice that while the
// slice grows.
const (
	MaxReplayEvents = 500_000
	MaxReplayBytes  = 256 << 20
)

// Recording is a stream read whole: its header and events in time order.
type Recording struct {
	Header Header
	Events []sampler.Event
	// Ranges are the stream's range changes in time order (see RangeChange);
	// before the first, Header.Ephemeral is in force.
	Ranges []RangeChange
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
	since := map[sampler.ID]time.Time{}
	names := map[string]string{} // one copy of each process name
	for {
		e, err := rd.Next()
		rec.Ranges = rangesRead(rec.Ranges, rd)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(rec.Events) == MaxReplayEvents {
			return nil, fmt.Errorf("the recording holds more than %d events; replay reads a recording into memory: cut it first (e.g. head -n %d)",
				MaxReplayEvents, MaxReplayEvents+1)
		}
		if p := e.Socket.Process; p != "" {
			if n, ok := names[p]; ok {
				e.Socket.Process = n
			} else if len(names) < maxInterned {
				names[p] = p
			}
		}
		id := e.Socket.ID
		switch e.Kind {
		case sampler.Opened:
			since[id] = e.Socket.Since
		case sampler.StateChanged:
			if t, ok := since[id]; ok {
				e.Socket.Since = t
			} else {
				e.Socket.Since = e.Time
				since[id] = e.Time
			}
		case sampler.Closed:
			delete(since, id)
		}
		rec.Events = append(rec.Events, e)
	}
	// Growing by append leaves up to a quarter unused: give it back.
	if cap(rec.Events)-len(rec.Events) > len(rec.Events)/16 {
		rec.Events = slices.Clone(rec.Events)
	}
	// Lines are written in time order; a hand-edited file might not be.
	slices.SortStableFunc(rec.Events, func(a, b sampler.Event) int { return a.Time.Compare(b.Time) })
	slices.SortStableFunc(rec.Ranges, func(a, b RangeChange) int { return a.Time.Compare(b.Time) })
	rec.Ranges = compactRanges(rec.Ranges, rec.Header.Ephemeral)
	return rec, nil
}

// maxInterned bounds the names Load shares: a recording of a machine has
// a few hundred programs, a hostile one could name each socket apart.
const maxInterned = 4096

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
