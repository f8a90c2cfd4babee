package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/porttop/porttop/sampler"
)

// MaxLine is the longest line a Reader accepts; real lines are a few hundred
// bytes, so anything longer is not a porttop stream.
const MaxLine = 256 << 10

// Reader reads a stream written by Writer (or by any other program that keeps
// to the format).
type Reader struct {
	in     *bufio.Reader
	header Header
	line   int // number of the last line read, from 1
	stats  *Stats
	done   bool
	// ephemeral is the range in force: the header's, then each range
	// change's (see Ephemeral).
	ephemeral RangeChange
	// netns are other namespaces' ranges, by inode (see NetnsRanges).
	netns map[uint64]RangeChange
	// netnsLog, when keepNetns is set (Load), is every other namespace's
	// range line read, in the order read: a replay plays them in time.
	keepNetns bool
	netnsLog  []RangeChange
	// failures sums the failed hand-out lines read (see Failures).
	failures sampler.FailureTotals
}

// NewReader reads the header line. The error starts "not a porttop
// recording" when the first line is not a header.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{in: bufio.NewReaderSize(r, 64<<10)}
	first, _, err := rd.readLine()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: the file is empty", errNotRecording)
	}
	if err != nil {
		if errors.Is(err, errLineTooLong) {
			return nil, fmt.Errorf("%w: %v", errNotRecording, err)
		}
		return nil, err
	}
	rd.header, err = ParseHeader(first)
	if err != nil {
		return nil, err
	}
	rd.ephemeral = RangeChange{Range: rd.header.Ephemeral}
	return rd, nil
}

// IsNotRecording reports whether err says the input is not a porttop stream
// at all (rather than a damaged or newer one).
func IsNotRecording(err error) bool { return errors.Is(err, errNotRecording) }

// Header is the stream's header.
func (r *Reader) Header() Header { return r.header }

// Line is the number of the last line read (the header is line 1).
func (r *Reader) Line() int { return r.line }

// LastStats is the latest stats line read so far, nil before the first.
func (r *Reader) LastStats() *Stats { return r.stats }

// anyLine holds every line kind; which fields are present says which it is.
type anyLine struct {
	eventLine
	Stats *statsBody `json:"stats"`
	// Ephemeral with a time and no event or stats is a range change.
	Ephemeral *[2]uint16 `json:"ephemeral_range"`
	// NetnsEphemeral with a time and a netns is another namespace's range.
	NetnsEphemeral *[2]uint16 `json:"netns_ephemeral_range"`
	// Failed hand-out lines.
	Connect *failureBody `json:"connect_failed"`
	Bind    *failureBody `json:"bind_failed"`
}

// Next returns the next event, skipping stats and failed hand-out lines (see
// Failures) and lines of kinds it does
// not know (later versions may add some). A range-change line read on the
// way changes Ephemeral. It returns io.EOF at the end; a last
// line cut short (a recording interrupted mid-write) also ends the stream.
func (r *Reader) Next() (sampler.Event, error) {
	for {
		it, err := r.NextItem()
		if err != nil {
			return sampler.Event{}, err
		}
		if it.Event != nil {
			return *it.Event, nil
		}
	}
}

// Item is one line NextItem read: exactly one of its fields is set.
type Item struct {
	Event *sampler.Event
	Stats *Stats       // also LastStats from now on
	Range *RangeChange // also Ephemeral from now on
	// Netns is another network namespace's range (its Netns set), also
	// in NetnsRanges from now on.
	Netns *RangeChange
}

// NextItem returns the next event, stats line or range change (of
// porttop's namespace or another's), skipping
// lines of kinds it does not know; what a stream follower (porttop view)
// needs to hear of stats lines as they arrive. Its ends are Next's.
func (r *Reader) NextItem() (Item, error) {
	for !r.done {
		b, complete, err := r.readLine()
		if err != nil {
			if err == io.EOF {
				r.done = true
				break
			}
			return Item{}, fmt.Errorf("line %d: %w", r.line, err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var l anyLine
		if err := json.Unmarshal(b, &l); err != nil {
			if !complete {
				r.done = true
				break
			}
			return Item{}, fmt.Errorf("line %d: %s", r.line, jsonProblem(err))
		}
		switch {
		case l.Event != "":
			if !knownEvent(l.Event) {
				continue
			}
			e, err := parseEvent(&l.eventLine)
			if err != nil {
				if !complete {
					r.done = true
					break
				}
				return Item{}, fmt.Errorf("line %d: %w", r.line, err)
			}
			return Item{Event: &e}, nil
		case l.Stats != nil:
			r.stats = statsFrom(l.Time, l.Stats)
			return Item{Stats: r.stats}, nil
		case l.NetnsEphemeral != nil && l.Time != "" && l.Netns != 0:
			c, err := parseRangeChange(l.Time, *l.NetnsEphemeral)
			if err != nil {
				if !complete {
					r.done = true
					break
				}
				return Item{}, fmt.Errorf("line %d: %w", r.line, err)
			}
			// another namespace's: porttop's own range stays
			c.Netns, c.NetnsName = l.Netns, l.NetnsName
			if r.netns == nil {
				r.netns = map[uint64]RangeChange{}
			}
			r.netns[l.Netns] = c
			if r.keepNetns {
				r.netnsLog = append(r.netnsLog, c)
			}
			return Item{Netns: &c}, nil
		case l.Connect != nil || l.Bind != nil:
			op, body := sampler.FailedConnect, l.Connect
			if body == nil {
				op, body = sampler.FailedBind, l.Bind
			}
			g, err := parseFailure(l.Time, op, body)
			if err != nil {
				if !complete {
					r.done = true
					break
				}
				return Item{}, fmt.Errorf("line %d: %w", r.line, err)
			}
			r.failures.Add([]sampler.FailureCount{g})
		case l.Ephemeral != nil && l.Time != "":
			c, err := parseRangeChange(l.Time, *l.Ephemeral)
			if err != nil {
				if !complete {
					r.done = true
					break
				}
				return Item{}, fmt.Errorf("line %d: %w", r.line, err)
			}
			r.ephemeral = c
			return Item{Range: &c}, nil
		}
	}
	return Item{}, io.EOF
}

func knownEvent(name string) bool {
	return name == "open" || name == "close" || name == "state"
}

var errLineTooLong = fmt.Errorf("a line is longer than %d bytes", MaxLine)

// readLine returns the next line without its newline; complete is false for
// a last line that ends without one.
func (r *Reader) readLine() (line []byte, complete bool, err error) {
	var buf []byte
	for {
		chunk, err := r.in.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLine+1 {
			r.line++ // the error names this line, not the one before
			return nil, false, errLineTooLong
		}
		switch err {
		case nil:
			r.line++
			if buf == nil {
				return bytes.TrimSuffix(chunk[:len(chunk)-1], []byte{'\r'}), true, nil
			}
			buf = append(buf, chunk[:len(chunk)-1]...)
			return bytes.TrimSuffix(buf, []byte{'\r'}), true, nil
		case bufio.ErrBufferFull:
			buf = append(buf, chunk...)
		case io.EOF:
			if len(buf)+len(chunk) == 0 {
				return nil, false, io.EOF
			}
			r.line++
			return append(buf, chunk...), false, nil
		default:
			return nil, false, err
		}
	}
}
