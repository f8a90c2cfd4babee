package record

import (
	"bufio"
	"io"
	"sync"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// Writer writes a stream: the header when made, then events and stats lines.
// It is safe for concurrent use. By default every Write reaches w before it
// returns (a live `porttop watch`); with FlushEvery lines are buffered and
// flushed at least that often, so a crash loses at most that much.
type Writer struct {
	mu        sync.Mutex
	out       *bufio.Writer
	ephemeral ports.Range
	// netns are other network namespaces' ranges (WriteNetnsRanges).
	netns map[uint64]ports.Range
	every time.Duration
	timer *time.Timer // pending flush while lines wait in the buffer
	err   error       // first write error; every later call returns it
	lines uint64
	line  []byte // an event line being made, reused
}

// NewWriter writes hdr to w and returns a Writer for the lines that follow.
// The header is flushed at once.
func NewWriter(w io.Writer, hdr Header) (*Writer, error) {
	wr := &Writer{out: bufio.NewWriterSize(w, 64<<10), ephemeral: hdr.Ephemeral}
	b, err := MarshalHeader(hdr)
	if err != nil {
		return nil, err
	}
	if err := wr.writeLine(b); err != nil {
		return nil, err
	}
	if err := wr.out.Flush(); err != nil {
		return nil, err
	}
	wr.lines = 0 // Lines counts what follows the header
	return wr, nil
}

// FlushEvery switches to buffered writing, flushed at least every d (d <= 0
// goes back to flushing every Write). Call it before writing.
func (w *Writer) FlushEvery(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.every = d
}

// Write writes one line per event.
func (w *Writer) Write(events []sampler.Event) error {
	if len(events) == 0 {
		return w.Err()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range events {
		b, err := appendEvent(w.line[:0], &events[i], w.rangeFor(events[i].Socket.Netns))
		if err != nil {
			// A malformed event is the sampler's bug; skipping it keeps the
			// stream readable rather than ending it.
			continue
		}
		err = w.writeLine(b)
		w.line = b[:0]
		if err != nil {
			return err
		}
	}
	return w.flushLocked()
}

// WriteStats writes one stats line.
func (w *Writer) WriteStats(s Stats) error {
	b, err := MarshalStats(s)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.writeLine(b); err != nil {
		return err
	}
	return w.flushLocked()
}

// Lines is how many lines were written after the header.
func (w *Writer) Lines() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lines
}

// Err is the first write error, if any.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Flush writes out whatever is buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	return w.flushNow()
}

// Close flushes; it does not close the underlying writer.
func (w *Writer) Close() error { return w.Flush() }

func (w *Writer) writeLine(b []byte) error {
	if w.err != nil {
		return w.err
	}
	b = append(b, '\n')
	if _, err := w.out.Write(b); err != nil {
		w.err = err
		return err
	}
	w.lines++
	return nil
}

// flushLocked flushes now, or makes sure a flush is due within w.every.
func (w *Writer) flushLocked() error {
	if w.every <= 0 {
		return w.flushNow()
	}
	if w.timer == nil && w.out.Buffered() > 0 {
		w.timer = time.AfterFunc(w.every, func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.timer = nil
			_ = w.flushNow() // the error is kept in w.err for the next call
		})
	}
	return w.err
}

func (w *Writer) flushNow() error {
	if w.err != nil {
		return w.err
	}
	if err := w.out.Flush(); err != nil {
		w.err = err
	}
	return w.err
}
