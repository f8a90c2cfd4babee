//go:build linux

package ebpf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/porttop/porttop/sampler"
)

// Probe is the loaded and attached kernel side: the programs, their links,
// their maps and the reader of the events map. Close releases all of it.
type Probe struct {
	progs  []*ebpf.Program
	links  []link.Link
	events *ebpf.Map
	args   *ebpf.Map
	stats  *ebpf.Map
	ring   *ringbuf.Reader
	perf   *perf.Reader
	clock  Clock
	notes  []string
	// cookies: the cookie program runs (transitions carry cookies).
	cookies bool
	// timewait: the timewait program runs (timewait_linux.go); hz is
	// the kernel's CONFIG_HZ for its timeo (0: unknown).
	timewait bool
	hz       int
	classic  bool          // do not try the cookie program
	only     uint32        // the one namespace the programs write records of; 0: all
	poke     chan struct{} // Flush: read now, not after the pause
	ringSize int           // the ring buffer's bytes (ringBytes)
	// ringMu guards the ring reader's AvailableBytes (lock-free in
	// cilium/ebpf, but not once the reader is closed) against Close.
	ringMu sync.RWMutex
	// Barrier's numbers: the last taken, and the last the reader passed.
	asked, passed atomic.Uint64
	handled       atomic.Uint64 // records Read has handed on (fn returned, the burst flushed)
	progress      progress      // the reader moved handled or passed on
	lost          atomic.Uint64 // perf samples the kernel reported lost
	closed        atomic.Bool
	// pausing: the reader is in its pause (coalesce), sure to read again
	// within it (see BarrierInPause).
	pausing atomic.Bool
}

// ringSize is the ring buffer's size: 4 MiB hold 25,000 records (168
// bytes each with the ring's header), about a second of the big table's
// churn (2,000 connections a second, both ends) if the reader stalled
// that long; the reader pauses less when records come fast (pauseFor).
// The ring is resident in full, twice (the kernel maps its data pages
// twice): 8.2 MB in smaps.
const ringSize = 4 << 20

// headlessRingSize is the ring of a program that only writes the events
// out (SetHeadlessRing: watch), 4.1 MB resident. Under .ci/bench's BIG
// load (2,000 connections a second beside 95-165k sockets) watch's
// reader dropped no record at 2 MiB in five runs, while the live view's,
// in a process that also draws the table, dropped 1,244 and 2,861 in two
// of them (none in its runs at 4 MiB): sampler/MEMORY.md.
const headlessRingSize = 2 << 20

var headlessRing atomic.Bool

// SetHeadlessRing makes the probes opened from now on use the smaller
// ring (headlessRingSize): for a program that reads the events and
// writes them out, nothing else.
func SetHeadlessRing(on bool) { headlessRing.Store(on) }

// ringBytes is the size of the ring a probe opened now gets.
func ringBytes() int {
	if headlessRing.Load() {
		return headlessRingSize
	}
	return ringSize
}

// Open loads the programs and attaches them. Its error is an
// *UnavailableError saying in one line why the kernel side cannot run.
func Open() (*Probe, error) { return open(options{}) }

// options change what open loads.
type options struct {
	classic bool   // skip the cookie program (tests of the fallback)
	only    uint32 // keep only this network namespace's records (0: all)
}

func open(o options) (*Probe, error) {
	p := &Probe{classic: o.classic, only: o.only, poke: make(chan struct{}, 1)}
	if err := p.open(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Probe) open() error {
	dir, err := tracefsDir()
	if err != nil {
		return err
	}
	stateFmt, err := readFormat(dir, "sock", "inet_sock_set_state")
	if err != nil {
		return err
	}
	_ = rlimit.RemoveMemlock() // kernels before 5.11 count BPF memory against it; failing is fine on newer ones
	ringOK := features.HaveMapType(ebpf.RingBuf) == nil
	if ringOK {
		p.ringSize = ringBytes()
		p.events, err = ebpf.NewMap(&ebpf.MapSpec{Name: "porttop_events", Type: ebpf.RingBuf, MaxEntries: uint32(p.ringSize)})
	} else {
		p.events, err = ebpf.NewMap(&ebpf.MapSpec{Name: "porttop_events", Type: ebpf.PerfEventArray})
		p.notes = append(p.notes, "no BPF ring buffer (Linux 5.8+): using a perf buffer")
	}
	if err != nil {
		return classify("creating the events map", err)
	}
	if p.args, err = ebpf.NewMap(&ebpf.MapSpec{Name: "porttop_args", Type: ebpf.LRUHash, KeySize: 8, ValueSize: argsValSize, MaxEntries: 16384}); err != nil {
		return classify("creating the syscall map", err)
	}
	if p.stats, err = ebpf.NewMap(&ebpf.MapSpec{Name: "porttop_stats", Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: statCount}); err != nil {
		return classify("creating the stats map", err)
	}
	m := maps{events: p.events.FD(), args: p.args.FD(), stats: p.stats.FD(), ringbuf: ringOK, only: p.only}
	if o, err := kernelNetnsOffsets(); err == nil {
		m.netns = &o
	} else {
		p.notes = append(p.notes, "sockets of every network namespace mixed in ("+err.Error()+")")
	}
	if err := p.attachCookies(m); err != nil {
		// The classic tracepoint: every transition, without cookies.
		p.notes = append(p.notes, "transitions without socket cookies ("+err.Error()+"): needs Linux 5.12+ with BTF")
		ins, err := stateProgram(stateFmt, m)
		if err != nil {
			return &UnavailableError{Why: "the kernel's inet_sock_set_state tracepoint differs from what porttop reads: " + err.Error(), Err: err}
		}
		if err := p.attach("porttop_state", "sock", "inet_sock_set_state", ins); err != nil {
			return err
		}
	}
	if p.cookies {
		if err := p.attachTimeWait(dir, m); err != nil {
			// Releases come from netlink's destroy reports, as before.
			p.notes = append(p.notes, "TCP releases from netlink's reports, not the kernel's events ("+err.Error()+")")
		}
	}
	if err := p.attachFailures(dir, m); err != nil {
		// Transitions work without it; say what is missing.
		p.notes = append(p.notes, "failed connects not counted: "+err.Error())
	}
	if ringOK {
		p.ring, err = ringbuf.NewReader(p.events)
	} else {
		p.perf, err = perf.NewReader(p.events, 256*os.Getpagesize())
	}
	if err != nil {
		return classify("reading the events map", err)
	}
	p.clock = nowClock()
	return nil
}

// attachFailures loads the four syscall programs that catch connect() and
// bind() failing for lack of a port. Kernels built without syscall
// tracepoints (CONFIG_FTRACE_SYSCALLS) lack them.
func (p *Probe) attachFailures(dir string, m maps) error {
	type tp struct {
		name string
		prog func(Format) (asm.Instructions, error)
	}
	for _, t := range []tp{
		{"sys_enter_connect", func(f Format) (asm.Instructions, error) { return enterProgram(f, "uservaddr", kindConnect, m) }},
		{"sys_exit_connect", func(f Format) (asm.Instructions, error) {
			return exitProgram(f, kindConnect, int32(unix.EADDRNOTAVAIL), statConnect, m)
		}},
		{"sys_enter_bind", func(f Format) (asm.Instructions, error) { return enterProgram(f, "umyaddr", kindBind, m) }},
		{"sys_exit_bind", func(f Format) (asm.Instructions, error) {
			return exitProgram(f, kindBind, int32(unix.EADDRINUSE), statBind, m)
		}},
	} {
		f, err := readFormat(dir, "syscalls", t.name)
		if err != nil {
			return err
		}
		ins, err := t.prog(f)
		if err != nil {
			return err
		}
		// Program names are at most 15 characters.
		name := "porttop_" + strings.NewReplacer("sys_", "", "enter_", "e", "exit_", "x", "connect", "conn").Replace(t.name)
		if err := p.attach(name, "syscalls", t.name, ins); err != nil {
			return err
		}
	}
	return nil
}

// attachCookies loads and attaches the cookie program (cookie_linux.go).
func (p *Probe) attachCookies(m maps) error {
	if p.classic {
		return errors.New("not tried")
	}
	o, err := kernelSockOffsets()
	if err != nil {
		return err
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         "porttop_sock",
		Type:         ebpf.Tracing,
		AttachType:   ebpf.AttachTraceRawTp,
		AttachTo:     "inet_sock_set_state",
		License:      "Dual MIT/GPL",
		Instructions: cookieProgram(o, m),
	})
	if err != nil {
		return classify("loading tp_btf/inet_sock_set_state", err)
	}
	l, err := link.AttachTracing(link.TracingOptions{Program: prog, AttachType: ebpf.AttachTraceRawTp})
	if err != nil {
		prog.Close()
		return classify("attaching tp_btf/inet_sock_set_state", err)
	}
	p.progs = append(p.progs, prog)
	p.links = append(p.links, l)
	p.cookies = true
	return nil
}

// Cookies reports whether transitions carry socket cookies (the cookie
// program runs, not the classic tracepoint).
func (p *Probe) Cookies() bool { return p.cookies }

func (p *Probe) attach(name, group, event string, ins asm.Instructions) error {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         name,
		Type:         ebpf.TracePoint,
		License:      "Dual MIT/GPL",
		Instructions: ins,
	})
	if err != nil {
		return classify("loading "+group+":"+event, err)
	}
	p.progs = append(p.progs, prog)
	l, err := link.Tracepoint(group, event, prog, nil)
	if err != nil {
		return classify("attaching to "+group+":"+event, err)
	}
	p.links = append(p.links, l)
	return nil
}

// Notes are one-line remarks on what the probe runs without.
func (p *Probe) Notes() []string { return p.notes }

// RingBuffer reports whether records come through a BPF ring buffer (else a
// perf buffer).
func (p *Probe) RingBuffer() bool { return p.ring != nil }

// Counts are the kernel programs' own counters, exact even when records
// were dropped.
type Counts struct {
	Dropped       uint64 // records the events map had no room for
	ConnectFailed uint64 // connect() failing EADDRNOTAVAIL
	BindFailed    uint64 // bind() to port 0 failing EADDRINUSE
}

// Counts reads the kernel's counters.
func (p *Probe) Counts() (Counts, error) {
	var v [statCount]uint64
	for i := range v {
		if err := p.stats.Lookup(uint32(i), &v[i]); err != nil {
			return Counts{}, fmt.Errorf("ebpf stats: %w", err)
		}
	}
	return Counts{Dropped: v[statDropped] + p.lost.Load(), ConnectFailed: v[statConnect], BindFailed: v[statBind]}, nil
}

// Lost is how many records were dropped because the reader fell behind.
func (p *Probe) Lost() uint64 {
	c, err := p.Counts()
	if err != nil {
		return p.lost.Load()
	}
	return c.Dropped
}

// available is how many bytes wait in the ring buffer; 0 once closed or
// with a perf buffer.
func (p *Probe) available() int {
	p.ringMu.RLock()
	defer p.ringMu.RUnlock()
	if p.ring == nil || p.closed.Load() {
		return 0
	}
	return p.ring.AvailableBytes()
}

// Barrier waits, at most max, until Read has handed its fn every record
// the programs wrote before Barrier was called, and reports whether it
// got there. With a perf buffer, which cannot tell, it returns false at
// once.
//
// Two ways, whichever comes first, neither ever early. By count: the
// records waiting when it is called, plus the one the reader may be
// handling, plus those it has handled (every record is ringRecordSize
// bytes in the ring): once the reader has handled that many, it is past
// them, however busy the stream. By emptiness: each call takes a number;
// the reader, whenever it finds the ring empty (after handing on a
// record, or woken by the call), marks the last number taken before it
// looked as passed (a record reserved but not yet committed counts as
// waiting).
func (p *Probe) Barrier(max time.Duration) bool { return p.barrier(max, false) }

// BarrierInPause is Barrier, except that a reader in its pause (it read
// everything there was less than coalesce ago) is left to end it: it reads
// again when the pause ends, and marks every call made meanwhile as
// passed if it then finds the ring empty. The call waits up to coalesce
// longer, and costs the reader no wakeup of its own: for callers that
// come often under churn (a burst of release reports) and can wait.
func (p *Probe) BarrierInPause(max time.Duration) bool { return p.barrier(max, true) }

func (p *Probe) barrier(max time.Duration, letPause bool) bool {
	if p.ring == nil || p.closed.Load() {
		return false
	}
	waiting := uint64((p.available() + ringRecordSize - 1) / ringRecordSize)
	target := p.handled.Load() + waiting + 1
	n := p.asked.Add(1)
	past := func() bool { return p.passed.Load() >= n || p.handled.Load() >= target }
	if past() {
		return true
	}
	if letPause && p.pausing.Load() {
		return p.progress.await(past, max)
	}
	select { // out of its pause
	case p.poke <- struct{}{}:
	default:
	}
	p.ringMu.RLock()
	if !p.closed.Load() {
		_ = p.ring.Flush() // out of its wait in epoll
	}
	p.ringMu.RUnlock()
	return p.progress.await(past, max)
}

// markIfEmpty records that the reader has read everything written before
// the Barrier calls made so far, if the ring is empty now.
func (p *Probe) markIfEmpty() bool {
	n := p.asked.Load()
	if p.available() != 0 {
		return false
	}
	if p.passed.Load() < n {
		p.passed.Store(n)
		p.progress.notify()
	}
	return true
}

// coalesce is how long the reader waits, after reading all there was,
// before it reads again: records written meanwhile wake nobody (the
// kernel wakes the reader only when it had caught up), so a busy stream
// costs a wakeup per coalesce and an idle one none (the reader blocks in
// epoll). It bounds how late a record is read under load (a sample's
// catch-up, Barrier, ends the pause at once). A tenth of a second, as
// watch's and the live view's usual interval: each burst read wakes the
// reader, then its subscriber (the poller), then the poller's consumer
// and its write; at 25 ms that was 40 of each a second under churn.
// Less when the stream would fill more than a quarter of the ring in a
// pause (see pauseFor).
const coalesce = 100 * time.Millisecond

// pauseFor is the reader's pause after it read n records in the time
// since its last pause ended (elapsed, that pause included): coalesce,
// or less when records came so fast that a pause as long would let them
// fill more than a quarter of the ring (of size bytes) before it reads
// again; at least minPause.
func pauseFor(n int, elapsed time.Duration, size int) time.Duration {
	room := size / ringRecordSize / 4
	if n <= room || elapsed <= 0 {
		return coalesce
	}
	// records arrive at n/elapsed: room of them take room*elapsed/n.
	d := time.Duration(float64(elapsed) * float64(room) / float64(n))
	return max(min(d, coalesce), minPause)
}

// minPause is the least pause pauseFor gives: a stream that fast is read
// in bursts of at least a millisecond's records.
const minPause = time.Millisecond

// ringRecordSize is a record with the ring buffer's 8-byte header.
const ringRecordSize = 8 + recordSize

// Read calls fn with each raw record until ctx ends or the probe is
// closed, which both return nil. fn must not keep the slice. It blocks
// while there is nothing to read.
func (p *Probe) Read(ctx context.Context, fn func(raw []byte)) error {
	return p.ReadBursts(ctx, fn, nil)
}

// ReadBursts is Read calling flush, when not nil, after each burst of
// records: once it has read all there was (the ring is empty), or
// maxBurst records, before it waits for more. A record counts as handed
// on (Barrier) only once the flush after it returns: fn may keep what it
// makes of the records for flush to hand on at once (one wakeup of
// whoever takes them per burst, not one per record). With a perf buffer,
// which cannot tell a burst's end, flush follows every record.
func (p *Probe) ReadBursts(ctx context.Context, fn func(raw []byte), flush func()) error {
	// Wake a reader blocked in epoll when ctx ends. Not with SetDeadline:
	// the readers hold their lock while they wait, so on a quiet machine
	// (no record to wake them) it would block until the next record came,
	// and with it whoever cancelled. Flush wakes the wait without the lock.
	stop := context.AfterFunc(ctx, func() {
		if p.ring != nil {
			_ = p.ring.Flush()
		} else if p.perf != nil {
			_ = p.perf.Flush()
		}
	})
	defer stop()
	var rr ringbuf.Record
	var pr perf.Record
	pause := time.NewTimer(time.Hour)
	pause.Stop()
	unflushed := uint64(0)
	// Records read since the last pause ended, and when it ended (for
	// pauseFor).
	sincePause, pauseEnd := 0, time.Time{}
	handOn := func() {
		if unflushed == 0 {
			return
		}
		if flush != nil {
			flush()
		}
		p.handled.Add(unflushed)
		unflushed = 0
		p.progress.notify()
	}
	defer handOn()
	for {
		var err error
		var raw []byte
		if p.ring != nil {
			err = p.ring.ReadInto(&rr)
			raw = rr.RawSample
		} else {
			err = p.perf.ReadInto(&pr)
			raw = pr.RawSample
			if err == nil && pr.LostSamples > 0 {
				p.lost.Add(pr.LostSamples)
				continue
			}
		}
		switch {
		case err == nil:
			fn(raw)
			unflushed++
			sincePause++
			if p.ring == nil || flush == nil || unflushed >= maxBurst {
				handOn()
			}
			if p.ring == nil || p.available() != 0 {
				continue
			}
			handOn()
			if p.markIfEmpty() && ctx.Err() == nil {
				pause.Reset(pauseFor(sincePause, time.Since(pauseEnd), p.ringSize))
				p.pausing.Store(true)
				select {
				case <-pause.C:
				case <-p.poke:
					pause.Stop()
				case <-ctx.Done():
					pause.Stop()
				}
				p.pausing.Store(false)
				sincePause, pauseEnd = 0, time.Now()
				// Barriers left to the pause's end (BarrierInPause) are
				// past if nothing came meanwhile: the read next would
				// block in epoll without saying so.
				p.markIfEmpty()
			}
		case errors.Is(err, os.ErrClosed), ctx.Err() != nil:
			return nil
		case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, ringbuf.ErrFlushed):
			handOn()
			if p.ring != nil {
				p.markIfEmpty() // a Barrier woke it
			}
		default:
			return fmt.Errorf("ebpf events: %w", err)
		}
	}
}

// maxBurst bounds the records ReadBursts reads before it flushes: a
// Barrier waits for no more than that many to be handed on at once.
const maxBurst = 512

// WatchTransitions decodes the stream into out and failed until ctx ends
// or the probe is closed. A record it cannot decode is skipped.
func (p *Probe) WatchTransitions(ctx context.Context, out chan<- sampler.Transition, failed chan<- sampler.PortFailure) error {
	var tr sampler.Transition
	var pf sampler.PortFailure
	d := Decoder{Clock: p.clock}
	return p.Read(ctx, func(raw []byte) {
		isFail, err := d.Decode(raw, &tr, &pf)
		if err != nil {
			return
		}
		if isFail {
			select {
			case failed <- pf:
			case <-ctx.Done():
			}
			return
		}
		select {
		case out <- tr:
		case <-ctx.Done():
		}
	})
}

// Close detaches and unloads everything. It is safe to call more than once
// and on a half-opened probe.
func (p *Probe) Close() error {
	p.ringMu.Lock()
	if p.closed.Swap(true) {
		p.ringMu.Unlock()
		return nil
	}
	p.ringMu.Unlock()
	var errs []error
	if p.ring != nil {
		errs = append(errs, p.ring.Close())
	}
	if p.perf != nil {
		errs = append(errs, p.perf.Close())
	}
	for _, l := range p.links {
		errs = append(errs, l.Close())
	}
	for _, pr := range p.progs {
		errs = append(errs, pr.Close())
	}
	for _, m := range []*ebpf.Map{p.events, p.args, p.stats} {
		if m != nil {
			errs = append(errs, m.Close())
		}
	}
	return errors.Join(errs...)
}

func nowClock() Clock {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return Clock{Base: time.Now(), Mono: ts.Nano()}
}

// tracefsDir finds the tracing file system; as root it mounts it where the
// kernel expects it when nothing has (as perf and bpftrace do).
func tracefsDir() (string, error) {
	for _, d := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
		if _, err := os.Stat(filepath.Join(d, "events")); err == nil {
			return d, nil
		} else if errors.Is(err, os.ErrPermission) {
			return "", notPermitted(err)
		}
	}
	if os.Geteuid() == 0 {
		err := unix.Mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, "")
		if err == nil {
			return "/sys/kernel/tracing", nil
		}
		return "", &UnavailableError{Why: "tracefs is not mounted and mounting it failed (" + err.Error() + "): mount -t tracefs nodev /sys/kernel/tracing", Err: err}
	}
	return "", notPermitted(errors.New("tracefs is not mounted"))
}

func readFormat(dir, group, event string) (Format, error) {
	b, err := os.ReadFile(filepath.Join(dir, "events", group, event, "format"))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &UnavailableError{Why: fmt.Sprintf("the kernel has no tracepoint %s:%s (%s)", group, event, needs[event]), Err: err}
	case errors.Is(err, os.ErrPermission):
		return nil, notPermitted(err)
	case err != nil:
		return nil, &UnavailableError{Why: "reading the tracepoint " + event + ": " + err.Error(), Err: err}
	}
	return ParseFormat(string(b))
}

var needs = map[string]string{
	"inet_sock_set_state": "Linux 4.16 or later",
	"sys_enter_connect":   "a kernel built with CONFIG_FTRACE_SYSCALLS",
	"sys_exit_connect":    "a kernel built with CONFIG_FTRACE_SYSCALLS",
	"sys_enter_bind":      "a kernel built with CONFIG_FTRACE_SYSCALLS",
	"sys_exit_bind":       "a kernel built with CONFIG_FTRACE_SYSCALLS",
}

// classify turns a load or attach error into the reason a user can act on.
func classify(what string, err error) error {
	var ve *ebpf.VerifierError
	switch {
	case errors.As(err, &ve):
		// The verifier says EACCES for a program it rejects: not a
		// permission problem.
		return &UnavailableError{Why: "the kernel refused the program " + what + ": " + lastLine(ve), Err: err}
	case errors.Is(err, os.ErrPermission):
		return notPermitted(err)
	case errors.Is(err, ebpf.ErrNotSupported):
		return &UnavailableError{Why: "the kernel is too old for " + what + " (needs Linux 5.8 or later): " + err.Error(), Err: err}
	}
	return &UnavailableError{Why: what + ": " + err.Error(), Err: err}
}

func notPermitted(err error) error {
	return &UnavailableError{Why: "not permitted: run as root, or give porttop CAP_BPF and CAP_PERFMON (Linux 5.8+)", Err: err, NotPermitted: true}
}

// lastLine is the verifier's verdict, the last line of its log.
func lastLine(ve *ebpf.VerifierError) string {
	for i := len(ve.Log) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(ve.Log[i]); l != "" && !strings.HasPrefix(l, "processed ") {
			return l
		}
	}
	return ve.Error()
}
