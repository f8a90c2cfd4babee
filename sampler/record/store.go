package record

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ports"
)

// eventStore holds a replay's events compactly: blocks of storeBlock
// events, each block its event lines (the recording's own JSON, so every
// field the format carries survives) deflated together. A recording of
// 490k events took about 1 KB an event as []sampler.Event while loading
// (the events, the slice's growth, the decoder's garbage); as blocks it
// takes a few tens of bytes. Events are decoded a block at a time as the
// player reaches them; the last block decoded is kept.
//
// Each stored line is "SINCE\tJSON": SINCE is the socket's Since in Unix
// nanoseconds (or "-" for the zero time), which Load derives from earlier
// events and the line format does not carry.
type eventStore struct {
	blocks [][]byte
	n      int

	mu     sync.Mutex
	cached int // index of the decoded block, -1 for none
	events []sampler.Event
}

// storeBlock is how many events a block holds: big enough to deflate
// well, small enough that the one decoded block stays small (~120 KB).
const storeBlock = 512

// Len is the number of events.
func (s *eventStore) Len() int { return s.n }

// At is event i, 0 <= i < Len.
func (s *eventStore) At(i int) sampler.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := i / storeBlock
	if s.cached != b || s.events == nil {
		evs, err := decodeBlock(s.blocks[b], s.events[:0])
		if err != nil {
			// The block was encoded from events that parsed; it cannot
			// fail unless memory is corrupt.
			panic(fmt.Sprintf("record: replay block %d: %v", b, err))
		}
		s.events, s.cached = evs, b
	}
	return s.events[i%storeBlock]
}

// Slice is events [from, to) as a new slice.
func (s *eventStore) Slice(from, to int) []sampler.Event {
	out := make([]sampler.Event, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, s.At(i))
	}
	return out
}

// storeBuilder appends events to a store block by block.
type storeBuilder struct {
	store eventStore
	raw   bytes.Buffer // the current block's lines
	inRaw int
	zbuf  bytes.Buffer
	zw    *flate.Writer
}

func newStoreBuilder() *storeBuilder {
	return &storeBuilder{store: eventStore{cached: -1}}
}

func (b *storeBuilder) add(e sampler.Event) error {
	line, err := MarshalEvent(e, ports.Range{})
	if err != nil {
		return err
	}
	if e.Socket.Since.IsZero() {
		b.raw.WriteByte('-')
	} else {
		b.raw.WriteString(strconv.FormatInt(e.Socket.Since.UnixNano(), 10))
	}
	b.raw.WriteByte('\t')
	b.raw.Write(line)
	b.raw.WriteByte('\n')
	b.inRaw++
	b.store.n++
	if b.inRaw == storeBlock {
		return b.flush()
	}
	return nil
}

func (b *storeBuilder) flush() error {
	if b.inRaw == 0 {
		return nil
	}
	b.zbuf.Reset()
	if b.zw == nil {
		zw, err := flate.NewWriter(&b.zbuf, flate.BestSpeed)
		if err != nil {
			return err
		}
		b.zw = zw
	} else {
		b.zw.Reset(&b.zbuf)
	}
	if _, err := b.zw.Write(b.raw.Bytes()); err != nil {
		return err
	}
	if err := b.zw.Close(); err != nil {
		return err
	}
	b.store.blocks = append(b.store.blocks, bytes.Clone(b.zbuf.Bytes()))
	b.raw.Reset()
	b.inRaw = 0
	return nil
}

// all decodes what was added so far (Load's fallback for a file out of
// time order).
func (b *storeBuilder) all() ([]sampler.Event, error) {
	st, err := b.done()
	if err != nil {
		return nil, err
	}
	return st.Slice(0, st.Len()), nil
}

// done flushes the last block and gives the store.
func (b *storeBuilder) done() (*eventStore, error) {
	if err := b.flush(); err != nil {
		return nil, err
	}
	return &b.store, nil
}

// storeOf builds a store from events in memory.
func storeOf(events []sampler.Event) (*eventStore, error) {
	b := newStoreBuilder()
	for _, e := range events {
		if err := b.add(e); err != nil {
			return nil, err
		}
	}
	return b.done()
}

// decodeBlock appends the events of one block to evs.
func decodeBlock(block []byte, evs []sampler.Event) ([]sampler.Event, error) {
	zr := flate.NewReader(bytes.NewReader(block))
	defer zr.Close()
	lines := bufio.NewScanner(zr)
	lines.Buffer(make([]byte, 0, 4096), 1<<20)
	for lines.Scan() {
		since, body, ok := bytes.Cut(lines.Bytes(), []byte{'\t'})
		if !ok {
			return nil, fmt.Errorf("line without since")
		}
		var l eventLine
		if err := json.Unmarshal(body, &l); err != nil {
			return nil, err
		}
		e, err := parseEvent(&l)
		if err != nil {
			return nil, err
		}
		if string(since) == "-" {
			e.Socket.Since = 0
		} else {
			ns, err := strconv.ParseInt(string(since), 10, 64)
			if err != nil {
				return nil, err
			}
			e.Socket.Since = sampler.Stamp(ns)
		}
		evs = append(evs, e)
	}
	if err := lines.Err(); err != nil && err != io.EOF {
		return nil, err
	}
	return evs, nil
}
