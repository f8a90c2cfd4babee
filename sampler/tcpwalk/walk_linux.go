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
// so the first holds ~40k sockets; a walk that loses records doubles it
// for the next walk, up to maxRing (~1.3M sockets).
const (
	firstRing = 4 << 20
	maxRing   = 128 << 20
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
	w := &Walker{o: o, hz: newHZClock()}
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
	w.prog, err = ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         "porttop_walk",
		Type:         ebpf.Tracing,
		AttachType:   ebpf.AttachTraceIter,
		AttachTo:     "bpf_map",
		Instructions: walkProgram(w.o, ring.FD(), w.want.FD()),
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
func (w *Walker) Walk(netns []uint64, visit func(*Row)) error {
	if w.it == nil {
		return errors.New("tcpwalk: closed")
	}
	if err := w.setWanted(netns); err != nil {
		return err
	}
	at := time.Now()
	r, err := w.it.Open()
	if err != nil {
		return fmt.Errorf("start the walk: %w", err)
	}
	_, err = io.Copy(io.Discard, r)
	r.Close()
	if err != nil {
		return fmt.Errorf("walk: %w", err)
	}
	// The ring is mapped for the drain alone: a reader maps all of it (twice,
	// as the kernel maps a ring buffer), resident from the mapping on, and
	// after a walk of 100k sockets it is 16-32 MB. Between walks (seconds)
	// nothing of it counts in porttop's memory. The kernel keeps the
	// consumer position, so a new reader starts where the last one ended.
	rd, err := ringbuf.NewReader(w.ring)
	if err != nil {
		return fmt.Errorf("read the walk: %w", err)
	}
	defer rd.Close()
	rd.SetDeadline(time.Now()) // everything is in the ring: no waiting
	var jiffies uint64
	var trailer [trailerSize]byte
	var row Row
	ended := false
	for {
		err := rd.ReadInto(&w.rec)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			return fmt.Errorf("read the walk: %w", err)
		}
		b := w.rec.RawSample
		switch len(b) {
		case headerSize:
			jiffies = binary.NativeEndian.Uint64(b)
			w.hz.observe(jiffies, at)
		case trailerSize:
			copy(trailer[:], b)
			ended = true
		case recordSize:
			w.row(&row, b, jiffies, at)
			visit(&row)
		}
	}
	if !ended {
		return w.incomplete("no trailer: the ring buffer filled up")
	}
	lost := binary.NativeEndian.Uint64(trailer[0:8])
	cut := binary.NativeEndian.Uint64(trailer[8:16])
	loop := int64(binary.NativeEndian.Uint64(trailer[16:24]))
	moved := binary.NativeEndian.Uint64(trailer[24:32])
	switch {
	case loop < 0:
		return fmt.Errorf("walk: bpf_loop: error %d", loop)
	case lost > 0:
		return w.incomplete(fmt.Sprintf("%d records lost: the ring buffer filled up", lost))
	case cut > 0:
		return fmt.Errorf("%w: a hash chain longer than %d sockets", ErrIncomplete, maxChain)
	case moved > 0:
		return fmt.Errorf("%w: a socket was freed and reused while walked", ErrIncomplete)
	}
	return nil
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

// incomplete grows the ring buffer for the next walk.
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
			s.TimeWaitEnds = w.hz.ends(expires, jiffies, at)
		}
	default:
		s.Inode = uint64(uint32(binary.NativeEndian.Uint64(b[recIno:]))) // sock_diag's idiag_inode is 32 bits
		s.CgroupID = binary.NativeEndian.Uint64(b[recCgroup:])
	}
}

const afInet6 = 10
