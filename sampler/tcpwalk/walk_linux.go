//go:build linux

package tcpwalk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// Ring buffer sizes: a record is recordSize plus the ring's 8-byte header,
// so the first holds ~21k sockets. A walk goes in rounds, each a range of
// the hash's buckets sized to fill about half the ring (see Walk), so the
// ring does not grow with the table: a reader maps a ring twice, all of
// it resident, and a ring grown to hold 100k sockets (32 MB) was 64 MB of
// porttop's resident set while drained. Only a round of one chunk of
// buckets that loses records doubles it for the next walk, up to maxRing.
const (
	firstRing = 2 << 20
	maxRing   = 128 << 20
)

// A walk's first round covers firstChunks chunks of buckets (4,096 of
// the 262,144 buckets a 2-core machine has), to learn how dense the
// table is; a round that finds none covers the rest (allChunks).
const (
	firstChunks = 256
	allChunks   = 1 << 30
)

// Walker walks the TCP established hash porttop's namespace uses. Open it
// once; Walk may be called from one goroutine at a time. Close releases
// the program, its link and its ring buffer.
type Walker struct {
	o        offsets
	ringSize int
	ring     *ebpf.Map
	want     *ebpf.Map           // the namespaces whose sockets the walk writes
	wanted   map[uint32]struct{} // what want holds
	rng      *ebpf.Map           // a round's chunks: first, count
	per      uint32              // chunks a round, from the last rounds' density
	rounds   uint64              // rounds run, for tests
	prog     *ebpf.Program
	it       *link.Iter
	rec      ringbuf.Record
	hz       hzClock
}

// Open loads the walk program. It fails, with the reason, without root
// (CAP_BPF and CAP_PERFMON), without kernel BTF, or on a kernel older than
// 5.17 (bpf_loop 5.17, bpf_map iterators 5.8, ring buffers 5.8).
func Open() (*Walker, error) {
	if strconv.IntSize != 64 {
		return nil, errors.New("the TCP walk reads a 64-bit kernel's pointers and timers: 64-bit only")
	}
	o, err := kernelOffsets()
	if err != nil {
		return nil, err
	}
	w := &Walker{o: o, hz: newHZClock(), per: firstChunks}
	if err := w.load(firstRing); err != nil {
		return nil, err
	}
	return w, nil
}

// load (re)makes the ring buffer and the program writing to it.
func (w *Walker) load(size int) error {
	w.release()
	ring, err := ebpf.NewMap(&ebpf.MapSpec{Name: "porttop_walk", Type: ebpf.RingBuf, MaxEntries: uint32(size)})
	if err != nil {
		return fmt.Errorf("BPF ring buffer (Linux 5.8+): %w", err)
	}
	w.ring, w.ringSize = ring, size
	w.want, err = ebpf.NewMap(&ebpf.MapSpec{
		Name: "porttop_want", Type: ebpf.Hash, KeySize: 4, ValueSize: 1,
		MaxEntries: maxWant, Flags: unix.BPF_F_NO_PREALLOC,
	})
	if err != nil {
		w.release()
		return fmt.Errorf("BPF hash map: %w", err)
	}
	w.wanted = map[uint32]struct{}{}
	w.rng, err = ebpf.NewMap(&ebpf.MapSpec{Name: "porttop_range", Type: ebpf.Array, KeySize: 4, ValueSize: rangeSize, MaxEntries: 1})
	if err != nil {
		w.release()
		return fmt.Errorf("BPF array map: %w", err)
	}
	w.prog, err = ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         "porttop_walk",
		Type:         ebpf.Tracing,
		AttachType:   ebpf.AttachTraceIter,
		AttachTo:     "bpf_map",
		Instructions: walkProgram(w.o, ring.FD(), w.want.FD(), w.rng.FD()),
		License:      "GPL", // bpf_probe_read_kernel
	})
	if err != nil {
		w.release()
		return fmt.Errorf("load the walk program (Linux 5.17+ with BTF): %w", err)
	}
	if w.it, err = link.AttachIter(link.IterOptions{Program: w.prog}); err != nil {
		w.release()
		return fmt.Errorf("attach the walk program: %w", err)
	}
	return nil
}

// release closes whatever load made.
func (w *Walker) release() {
	if w.it != nil {
		w.it.Close()
		w.it = nil
	}
	if w.prog != nil {
		w.prog.Close()
		w.prog = nil
	}
	if w.ring != nil {
		w.ring.Close()
		w.ring = nil
	}
	if w.want != nil {
		w.want.Close()
		w.want = nil
	}
	if w.rng != nil {
		w.rng.Close()
		w.rng = nil
	}
}

// Close releases the program, its link and its ring buffer.
func (w *Walker) Close() error {
	w.release()
	return nil
}

// ErrIncomplete is returned by a walk that may have missed sockets: its
// ring buffer filled up (the next walk has one twice the size), a hash
// chain was longer than it reads, or a socket it was on was freed and
// reused in another chain.
var ErrIncomplete = errors.New("the walk missed sockets")

// Walk reads the established hash and calls visit with each socket of
// the namespaces netns lists (inodes; the walk skips the others' in the
// kernel). The Row is reused: copy what is kept. On an error the sockets
// visited are not the whole table.
//
// It goes in rounds: each runs the program over a range of the hash's
// chunks of buckets and drains the ring, sized by the density of sockets
// the rounds before found so that a round fills about half the ring. A
// round that loses records (the first walk of a big table, or a burst of
// new sockets) makes the walk ErrIncomplete; the next is cut finer.
func (w *Walker) Walk(netns []uint64, visit func(*Row)) error {
	if w.it == nil {
		return errors.New("tcpwalk: closed")
	}
	if err := w.setWanted(netns); err != nil {
		return err
	}
	// The ring is mapped for the walk alone: a reader maps all of it (twice,
	// as the kernel maps a ring buffer), resident from the mapping on.
	// Between walks (seconds) nothing of it counts in porttop's memory.
	// The kernel keeps the consumer position, so a new reader starts where
	// the last one ended.
	rd, err := ringbuf.NewReader(w.ring)
	if err != nil {
		return fmt.Errorf("read the walk: %w", err)
	}
	defer rd.Close()
	target := uint64(w.ringSize/(recordSize+8)) / 2 // records a round should write
	for first := uint32(0); ; {
		per := w.per
		r, err := w.round(rd, first, per, visit)
		if err != nil {
			return err
		}
		covered := min(per, r.total-first)
		switch {
		case r.lost > 0 && covered <= 1:
			return w.incomplete(fmt.Sprintf("%d records lost from one chunk of buckets: the ring buffer filled up", r.lost))
		case r.lost > 0:
			// Nothing of the round was visited: again, smaller (sockets
			// cluster in the hash: a round is sized by the last one's
			// density, and may meet a denser range).
			w.per = min(chunksFor(target, r.records+r.lost, covered), covered/2)
			continue
		case r.cut > 0:
			return fmt.Errorf("%w: a hash chain longer than %d sockets", ErrIncomplete, maxChain)
		case r.moved > 0:
			return fmt.Errorf("%w: a socket was freed and reused while walked", ErrIncomplete)
		}
		w.per = min(chunksFor(target, r.records, covered), 4*covered)
		if uint64(first)+uint64(per) >= uint64(r.total) {
			return nil
		}
		first += per
	}
}

// chunksFor is the chunks a round should cover to write about target
// records, where chunks chunks held records: at least 1.
func chunksFor(target, records uint64, chunks uint32) uint32 {
	if records == 0 {
		return allChunks
	}
	n := target * uint64(chunks) / records
	return uint32(max(1, min(n, allChunks)))
}

// roundResult is what a round's header and trailer said.
type roundResult struct {
	total            uint32 // chunks in the hash
	records          uint64 // socket records drained
	lost, cut, moved uint64
}

// round runs the walk program over chunks [first, first+per) and drains
// the ring into visit; a round that lost records is drained unvisited
// (the caller walks its range again in smaller rounds).
func (w *Walker) round(rd *ringbuf.Reader, first, per uint32, visit func(*Row)) (roundResult, error) {
	var rng [rangeSize]byte
	binary.NativeEndian.PutUint32(rng[rangeFirst:], first)
	binary.NativeEndian.PutUint32(rng[rangeCount:], per)
	if err := w.rng.Put(uint32(0), rng[:]); err != nil {
		return roundResult{}, fmt.Errorf("tcpwalk: %w", err)
	}
	w.rounds++
	at := time.Now()
	r, err := w.it.Open()
	if err != nil {
		return roundResult{}, fmt.Errorf("start the walk: %w", err)
	}
	_, err = io.Copy(io.Discard, r)
	r.Close()
	if err != nil {
		return roundResult{}, fmt.Errorf("walk: %w", err)
	}
	// The trailer, in the range map's value.
	var res roundResult
	if err := w.rng.Lookup(uint32(0), rng[:]); err != nil {
		return res, fmt.Errorf("tcpwalk: %w", err)
	}
	t := rng[rangeTrailer:]
	res.lost = binary.NativeEndian.Uint64(t[0:8])
	res.cut = binary.NativeEndian.Uint64(t[8:16])
	loop := int64(binary.NativeEndian.Uint64(t[16:24]))
	res.moved = binary.NativeEndian.Uint64(t[24:32])
	if res.lost > 0 {
		visit = nil
	}
	rd.SetDeadline(time.Now()) // everything is in the ring: no waiting
	var jiffies uint64
	var row Row
	header := false
	for {
		err := rd.ReadInto(&w.rec)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("read the walk: %w", err)
		}
		b := w.rec.RawSample
		switch len(b) {
		case headerSize:
			jiffies = binary.NativeEndian.Uint64(b)
			mask := binary.NativeEndian.Uint32(b[8:])
			chunk := uint64(chunkBytes / w.o.bucket) // buckets a chunk
			res.total = uint32((uint64(mask) + chunk) / chunk)
			header = true
			w.hz.observe(jiffies, at)
		case recordSize:
			res.records++
			if visit != nil {
				w.row(&row, b, jiffies, at)
				visit(&row)
			}
		}
	}
	switch {
	case !header:
		return res, errors.New("walk: the program did not run (no header record)")
	case loop < 0:
		return res, fmt.Errorf("walk: bpf_loop: error %d", loop)
	}
	return res, nil
}

// maxWant bounds the namespaces one walk may want.
const maxWant = 1 << 16

// setWanted makes the want map hold netns, changing only what changed.
func (w *Walker) setWanted(netns []uint64) error {
	if len(netns) > maxWant {
		return fmt.Errorf("tcpwalk: %d namespaces, at most %d", len(netns), maxWant)
	}
	keep := make(map[uint32]struct{}, len(netns))
	for _, n := range netns {
		keep[uint32(n)] = struct{}{}
	}
	for k := range w.wanted {
		if _, ok := keep[k]; !ok {
			if err := w.want.Delete(k); err != nil {
				return fmt.Errorf("tcpwalk: %w", err)
			}
			delete(w.wanted, k)
		}
	}
	for k := range keep {
		if _, ok := w.wanted[k]; !ok {
			if err := w.want.Put(k, uint8(1)); err != nil {
				return fmt.Errorf("tcpwalk: %w", err)
			}
			w.wanted[k] = struct{}{}
		}
	}
	return nil
}

// incomplete grows the ring buffer for the next walk (a round of one
// chunk of buckets overflowed it).
func (w *Walker) incomplete(why string) error {
	if w.ringSize < maxRing {
		if err := w.load(2 * w.ringSize); err != nil {
			return fmt.Errorf("%w (%s); growing its ring buffer: %v", ErrIncomplete, why, err)
		}
	}
	return fmt.Errorf("%w: %s", ErrIncomplete, why)
}

// row converts a record as sock_diag converts its reply (sockdiag's
// toSocketAt): a request socket is SYN_RECV; a timewait socket is in its
// substate, with no inode, no cgroup, and in TIME_WAIT no owner (UID -1)
// and a timer.
func (w *Walker) row(r *Row, b []byte, jiffies uint64, at time.Time) {
	family := b[recFamily]
	sport := binary.NativeEndian.Uint16(b[recNum:])
	dport := binary.BigEndian.Uint16(b[recDport:])
	*r = Row{Netns: uint64(binary.NativeEndian.Uint32(b[recInum:])), IPv6: family == afInet6}
	s := &r.Socket
	if r.IPv6 {
		s.Local = sampler.Unmap(netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[recSaddr6:recSaddr6+16])), sport))
		s.Remote = sampler.Unmap(netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[recDaddr6:recDaddr6+16])), dport))
	} else {
		s.Local = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[recSaddr4:recSaddr4+4])), sport)
		s.Remote = netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[recDaddr4:recDaddr4+4])), dport)
	}
	s.Proto = sampler.TCP
	s.Cookie = binary.NativeEndian.Uint64(b[recCookie:])
	s.State = sampler.State(b[recState])
	s.UID = int32(binary.NativeEndian.Uint32(b[recUID:]))
	switch s.State {
	case stateNewSynRecv:
		s.State = sampler.StateSynRecv
	case sampler.StateTimeWait:
		// A timewait socket: sock_diag reports its substate (FIN_WAIT2 for
		// one orphaned before its peer's FIN), uid 0 (-1 in TIME_WAIT, as
		// sockdiag makes it) and, in TIME_WAIT, when its timer fires.
		s.UID = 0
		if s.State = sampler.State(b[recSubstate]); s.State == sampler.StateTimeWait {
			s.UID = -1
			expires := binary.NativeEndian.Uint64(b[recExpires:])
			s.TimeWaitEnds = sampler.StampOf(w.hz.ends(expires, jiffies, at))
		}
	default:
		s.Inode = uint32(binary.NativeEndian.Uint64(b[recIno:])) // sock_diag's idiag_inode is 32 bits
		s.CgroupID = binary.NativeEndian.Uint64(b[recCgroup:])
	}
}

const afInet6 = 10
