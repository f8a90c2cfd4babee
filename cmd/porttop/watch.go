package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/ebpf"
	"github.com/porttop/porttop/sampler/filter"
	"github.com/porttop/porttop/sampler/poll"
	"github.com/porttop/porttop/sampler/record"
	"github.com/porttop/porttop/ui/safe"
)

// watchOptions are `porttop watch`'s flags.
type watchOptions struct {
	sampling
	record string        // file to record to, "" for none
	stats  time.Duration // 0: no stats lines
	quiet  bool          // nothing on stdout
	force  bool          // replace an existing record file
}

func (fs *flagSet) watchFlags(o *watchOptions) {
	fs.samplingFlags(&o.sampling)
	fs.value("stats", func(v string) error {
		d, err := parseDuration(v)
		switch {
		case errors.Is(err, errDurationTooLong):
			return fmt.Errorf("too long: durations go up to 2562047h (about 290 years)")
		case err != nil:
			return fmt.Errorf("not a duration: write it like 5s")
		case d < 100*time.Millisecond:
			return fmt.Errorf("too short: the least is 100ms")
		}
		o.stats = d
		return nil
	}, "stats every D")
	fs.BoolVar(&o.force, "force", false, "replace an existing record file")
}

func runWatch(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("watch")
	var o watchOptions
	fs.watchFlags(&o)
	fs.StringVar(&o.record, "record", "", "record to FILE")
	fs.BoolVar(&o.quiet, "quiet", false, "nothing on stdout")
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "watch", stdout)
	}
	if len(pos) > 0 {
		return usagef("watch", "unexpected argument %q", pos[0])
	}
	return watch("watch", o, stdout, stderr)
}

func runRecord(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("record")
	var o watchOptions
	fs.watchFlags(&o)
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "record", stdout)
	}
	switch len(pos) {
	case 0:
		return usagef("record", "record needs a FILE to write to")
	case 1:
	default:
		return usagef("record", "unexpected argument %q: record takes one FILE", pos[1])
	}
	o.record, o.quiet = pos[0], true
	return watch("record", o, stdout, stderr)
}

// watch streams events until a signal. The stream on stdout is flushed line
// by line; a --record file at least every second.
func watch(cmd string, o watchOptions, stdout, stderr io.Writer) error {
	if o.quiet && o.record == "" {
		return usagef(cmd, "--quiet without --record would write nothing")
	}
	tuneHeadlessGC()
	// watch only writes the events out: the ebpf source's smaller ring
	// (4.1 MB resident, not 8.2) keeps up with it (sampler/ebpf).
	ebpf.SetHeadlessRing(true)
	// Signals end the run from the start: a SIGHUP that came once the
	// recording's header was written, before the poller started, killed
	// record (TestRecordSIGHUP, on a loaded machine).
	ctx, stop := signalContext()
	defer stop()
	followLiveHeap(ctx)
	m, err := openMachine(o.source, true)
	if err != nil {
		return err
	}
	f, err := parseFilter(cmd, o.filterText(), m.ephemeral)
	if err != nil {
		return err
	}
	hdr := record.Header{
		OS: goos(), Ephemeral: m.ephemeral, Interval: o.interval,
		Host: m.host, Started: time.Now(), Source: m.src.Name(), Filter: o.filterText(),
	}
	var outs []*record.Writer
	var file *os.File
	if o.record != "" {
		if file, err = createRecording(cmd, o.record, o.force); err != nil {
			return err
		}
		defer file.Close()
		w, err := record.NewWriter(file, hdr)
		if err != nil {
			return failf(exitFail, "writing %s: %v", safe.Text(o.record), err)
		}
		w.FlushEvery(time.Second)
		outs = append(outs, w)
	}
	ignoreBrokenPipe() // before the first write: a closed stdout is an error to handle, not a kill
	var out *record.Writer
	if !o.quiet {
		if out, err = record.NewWriter(stdout, hdr); err != nil {
			if readerGone(err) {
				return nil // `porttop watch | head -0`: nobody to say it to
			}
			return failf(exitFail, "writing stdout: %v", err)
		}
		outs = append(outs, out)
	}
	for _, n := range m.notes {
		fmt.Fprintln(stderr, "porttop: "+n)
	}

	// The table is read for stats lines alone (and the first batch's, for
	// the sockets open at the start): with a source that keeps it by
	// events, a copy a stats period (or a second) is enough, and none
	// between checks without stats lines.
	tableEvery := o.stats
	switch {
	case tableEvery <= 0:
		tableEvery = poll.NoTableTicks
	case tableEvery > time.Second:
		tableEvery = time.Second
	}
	// The first sample's opens (one a socket: 24 MB of events at 100k)
	// go out in parts, written and handed back one after the other.
	poller, wait := startPoller(ctx, poll.Config{Source: m.src, Interval: o.interval, Ephemeral: m.rereadEphemeral, TableEvery: tableEvery, ExistingInParts: poll.ExistingPart}, query(f))
	defer func() {
		stop()
		wait()
	}()

	if f, ok := stdout.(*os.File); ok && out != nil {
		gone := stdoutGone(ctx, f)
		go func() {
			select {
			case <-gone:
				stop()
			case <-ctx.Done():
			}
		}()
	}
	s := streamer{filter: f, outs: outs, stdout: out, recordName: safe.Text(o.record), stats: o.stats, stderr: stderr, said: map[string]bool{}}
	s.follow = rangeFollower{text: o.filterText(), ephemeral: m.ephemeral, requery: poller.SetQuery}
	err = s.loop(ctx, poller)
	for _, w := range outs {
		if cerr := w.Close(); cerr != nil && err == nil {
			err = s.which(w, cerr)
		}
	}
	if errors.Is(err, errStdoutGone) {
		err = nil // the reader of stdout went away: stop quietly
	}
	if err != nil {
		return failf(exitFail, "%v", err)
	}
	if file != nil {
		if err := file.Sync(); err != nil {
			return failf(exitFail, "writing %s: %v", safe.Text(o.record), err)
		}
	}
	return nil
}

// streamer writes batches out, with the once-only notes and periodic stats.
type streamer struct {
	filter filter.Filter
	outs   []*record.Writer
	stats  time.Duration
	stdout *record.Writer // nil with --quiet
	// recordName names the --record file in errors.
	recordName string
	stderr     io.Writer
	said       map[string]bool // notes and errors already told on stderr
	follow     rangeFollower   // the filter follows the OS ephemeral range
	// start marks closes of sockets open before the stream began
	// (held_at_least).
	start sampler.StartMark
	// full finds the destinations the range is full for, for stats lines.
	full fullDests

	lastStats   time.Time
	kernelStart *sampler.KernelCounters
	dropped     uint64
}

func (s *streamer) loop(ctx context.Context, feed sampler.Feed) error {
	var keep []sampler.Event
	pace := time.NewTimer(0)
	defer pace.Stop()
	for {
		// At most one batch every minBatchGap: what comes meanwhile waits
		// in the poller's pending batch and goes out with the next.
		select {
		case <-pace.C:
		case <-ctx.Done():
			return nil
		}
		b, err := feed.Next(ctx)
		pace.Reset(minBatchGap)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		s.tell(b)
		s.followRange(b)
		s.start.Observe(&b)
		s.start.Mark(b.Events)
		keep = s.matching(b.Events, keep)
		for _, w := range s.outs {
			if err := writeWithRanges(w, keep, b); err != nil {
				return s.which(w, err)
			}
			if err := w.WriteFailures(b.Failures); err != nil {
				return s.which(w, err)
			}
		}
		if err := s.writeStats(b); err != nil {
			return err
		}
		// Events carry their own copies of sockets: the table can go back.
		if r, ok := feed.(sampler.Recycler); ok {
			r.Recycle(b.Snapshot)
		}
		// Written out: the events' memory can go back too.
		if r, ok := feed.(sampler.EventRecycler); ok {
			if sameEvents(keep, b.Events) {
				keep = nil // keep is b.Events itself (no filter)
			}
			r.RecycleEvents(b.Events)
		}
		if cap(keep) > maxKeptEvents {
			keep = nil // the first batch's existing sockets: let them go
		}
	}
}

// sameEvents tells whether a and b share their memory.
func sameEvents(a, b []sampler.Event) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:1][0] == &b[:1][0]
}

// minBatchGap is the least time between two batches the stream takes:
// under churn the poller publishes a step every millisecond or so, and a
// batch each cost a wakeup, a write and a flush; ten milliseconds is
// nothing to a reader of the stream, and makes those at most 100 a second.
const minBatchGap = 10 * time.Millisecond

// maxKeptEvents bounds the buffer of filtered events kept between batches:
// the first batch can hold one event per socket on the machine (100k
// sockets: 23 MB), the later ones a second's churn.
const maxKeptEvents = 4096

// matching is the events the filter lets through: evs itself without a
// filter, else a copy into buf.
func (s *streamer) matching(evs, buf []sampler.Event) []sampler.Event {
	if s.filter.IsZero() {
		return evs
	}
	buf = buf[:0]
	for i := range evs {
		if s.filter.MatchEvent(&evs[i]) {
			buf = append(buf, evs[i])
		}
	}
	return buf
}

// tell puts notes, sample errors and drops on stderr, each once.
func (s *streamer) tell(b sampler.Batch) {
	lines := append([]string(nil), b.Notes...)
	if b.Err != nil {
		lines = append(lines, "sample failed: "+b.Err.Error())
	}
	for _, l := range lines {
		if !s.said[l] {
			s.said[l] = true
			fmt.Fprintln(s.stderr, "porttop: "+safe.Text(oneLine(l)))
		}
	}
	if b.Dropped > s.dropped {
		fmt.Fprintf(s.stderr, "porttop: %d events dropped so far: the stream fell behind\n", b.Dropped)
		s.dropped = b.Dropped
	}
}

func (s *streamer) writeStats(b sampler.Batch) error {
	if b.Kernel != nil && s.kernelStart == nil {
		k := *b.Kernel
		s.kernelStart = &k
	}
	if s.stats <= 0 {
		return nil
	}
	now := time.Now()
	if s.lastStats.IsZero() {
		s.lastStats = now // the first line comes one period in
		return nil
	}
	if now.Sub(s.lastStats) < s.stats {
		return nil
	}
	s.lastStats = now
	st := record.Stats{Time: b.Snapshot.Time, ReportedOpens: b.Reported, ReportedTCP: b.ReportedTCP, Dropped: b.Dropped}
	if b.Kernel != nil {
		// Set beside the kernel's counts as they stood at the same instant,
		// so opens reported since (by release reports) are no surplus.
		st.ReportedTCP = b.ReportedTCPAtKernel
	}
	if st.Time.IsZero() {
		st.Time = now
	}
	for i := range b.Snapshot.Sockets {
		if s.filter.Match(&b.Snapshot.Sockets[i]) {
			st.Sockets++
		}
	}
	st.FullDestinations = s.full.find(b.Snapshot.Sockets, s.follow.ephemeral, b.NetnsRanges)
	if b.Kernel != nil && s.kernelStart != nil {
		st.Kernel = &record.KernelOpens{
			Active:  b.Kernel.ActiveOpens - s.kernelStart.ActiveOpens,
			Passive: b.Kernel.PassiveOpens - s.kernelStart.PassiveOpens,
		}
	}
	for _, w := range s.outs {
		if err := w.WriteStats(st); err != nil {
			return s.which(w, err)
		}
	}
	return nil
}

// errStdoutGone: whoever read stdout stopped (`porttop watch | head`).
var errStdoutGone = errors.New("stdout closed")

// which names the output a write error came from. Only a reader that went
// away ends the stream quietly; any other failure on stdout (a full disk
// behind `> file`) is as much an error as one on the --record file.
func (s *streamer) which(w *record.Writer, err error) error {
	if w != s.stdout {
		return fmt.Errorf("writing %s: %w", s.recordName, err)
	}
	if readerGone(err) {
		return errStdoutGone
	}
	return fmt.Errorf("writing stdout: %w", err)
}
