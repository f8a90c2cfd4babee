package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/record"
	"github.com/porttop/porttop/ui"
	"github.com/porttop/porttop/ui/safe"
)

const viewHelp = `Usage: porttop view [FILE | -] [--follow] [--filter TEXT] [--theme T] [--no-color]

Shows a 'porttop watch' stream in the live view as it arrives: from stdin
(- or no FILE), so that

    ssh web1 porttop watch --stats 1s | porttop view -

watches web1 from here. The header names the stream's host and says when
the stream stalls (with --stats lines: three periods without a line) or
ends. The view's keys work as in the live view; q quits.

  --follow        FILE is still being written ('porttop record'): keep
                  reading as it grows, like tail -f
  --filter TEXT   initial filter, as typed after /
  --theme T       colours: default, projector, colorblind
  --no-color      no colour (also when NO_COLOR is set)

A finished recording plays at its own pace with 'porttop replay FILE'.
`

func init() { commandHelp["view"] = viewHelp }

// followPoll is how often --follow looks for more of a file at its end.
const followPoll = 200 * time.Millisecond

func runView(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("view")
	var d display
	var filterText string
	var follow bool
	fs.displayFlags(&d)
	fs.filterFlag(&filterText)
	fs.BoolVar(&follow, "follow", false, "follow a growing FILE")
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "view", stdout)
	}
	path := "-"
	switch len(pos) {
	case 0:
	case 1:
		path = pos[0]
	default:
		return usagef("view", "unexpected argument %q: view takes one FILE, or - for stdin", pos[1])
	}

	ctx, stop := signalContext()
	defer stop()
	in, name, closeIn, err := openStream(ctx, path, follow)
	if err != nil {
		return err
	}
	defer closeIn()
	rd, err := record.NewReader(in)
	if err != nil {
		if ctx.Err() != nil {
			return nil // ctrl+c while waiting for the header
		}
		return failf(exitUsage, "%s: %v", name, err)
	}
	hdr := rd.Header()
	if _, err := parseFilter("view", filterText, hdr.Ephemeral); err != nil {
		return err
	}
	keys, closeKeys, err := viewTerminal(path == "-")
	if err != nil {
		return err
	}
	defer closeKeys()
	renderer := newRenderer(d)

	note := "live stream"
	if path != "-" {
		note += " " + filepath.Base(path)
	}
	feed := record.NewFollow(ctx, rd, safe.Text(note))
	return runTUIFrom(ctx, ui.Config{
		Feed:            live.Plain{Feed: feed},
		OS:              hdr.OS,
		Host:            safe.Text(hdr.Host),
		Ephemeral:       hdr.Ephemeral,
		EphemeralSource: "the stream",
		Interval:        hdr.Interval,
		Filter:          filterText,
		Renderer:        renderer,
		Palette:         d.palette(),
		Now:             feed.Now,
	}, keys)
}

// openStream opens what view reads: stdin for "-", else the file, followed
// as it grows with follow. name is what errors call it.
func openStream(ctx context.Context, path string, follow bool) (in io.Reader, name string, done func(), err error) {
	if path == "-" {
		return os.Stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, "", nil, failf(exitUsage, "cannot read %s: %v", path, err)
	}
	if st, serr := f.Stat(); serr == nil && st.IsDir() {
		f.Close()
		return nil, "", nil, failf(exitUsage, "cannot read %s: it is a directory", path)
	}
	if !follow {
		return f, path, func() { f.Close() }, nil
	}
	return &followReader{ctx: ctx, f: f, poll: followPoll}, path, func() { f.Close() }, nil
}

// followReader reads a file that is still being written: at its end it
// waits for more (tail -f) until ctx ends, and only then says EOF.
type followReader struct {
	ctx  context.Context
	f    io.Reader
	poll time.Duration
}

func (r *followReader) Read(p []byte) (int, error) {
	for {
		n, err := r.f.Read(p)
		if n > 0 || !errors.Is(err, io.EOF) {
			return n, err
		}
		t := time.NewTimer(r.poll)
		select {
		case <-r.ctx.Done():
			t.Stop()
			return 0, io.EOF
		case <-t.C:
		}
	}
}

// viewTerminal checks there is a terminal to draw on and returns where
// keys come from: stdin, or the controlling terminal when stdin is the
// stream.
func viewTerminal(stdinIsStream bool) (keys *os.File, done func(), err error) {
	if !stdinIsStream {
		if err := requireTerminal(); err != nil {
			return nil, nil, err
		}
		return os.Stdin, func() {}, nil
	}
	if !term.IsTerminal(os.Stdout.Fd()) {
		return nil, nil, failf(exitUsage, "no terminal: the live view needs a TTY on stdout")
	}
	tty := "/dev/tty"
	if runtime.GOOS == "windows" {
		tty = "CONIN$"
	}
	f, err := os.OpenFile(tty, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, failf(exitUsage, "no terminal to read keys from (%v): the live view needs one", err)
	}
	if w, h, err := term.GetSize(os.Stdout.Fd()); err == nil && w > 0 && h > 0 && (w < ui.MinWidth || h < ui.MinHeight) {
		f.Close()
		return nil, nil, failf(exitUsage, "terminal too small: %dx%d, the live view needs at least %dx%d", w, h, ui.MinWidth, ui.MinHeight)
	}
	return f, func() { f.Close() }, nil
}
