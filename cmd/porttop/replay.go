package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler/live"
	"github.com/porttop/porttop/sampler/record"
	"github.com/porttop/porttop/ui"
	"github.com/porttop/porttop/ui/safe"
)

func runReplay(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("replay")
	var d display
	var filterText string
	speed := 1.0
	fs.displayFlags(&d)
	fs.filterFlag(&filterText)
	fs.value("speed", func(v string) error {
		x, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "x"), 64)
		if err != nil || !(x >= record.MinSpeed && x <= record.MaxSpeed) {
			return fmt.Errorf("choose a speed from %v to %v (like 2 or 0.5)", record.MinSpeed, record.MaxSpeed)
		}
		speed = x
		return nil
	}, "speed")
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "replay", stdout)
	}
	switch len(pos) {
	case 0:
		return usagef("replay", "replay needs a FILE recorded by 'porttop record'")
	case 1:
	default:
		return usagef("replay", "unexpected argument %q: replay takes one FILE", pos[1])
	}
	path := pos[0]
	rec, err := loadReplay(path, filterText, stderr)
	if err != nil {
		return err
	}
	hdr := rec.Header
	renderer := newRenderer(d)
	note := "replay of " + safe.Text(filepath.Base(path))
	if hdr.Host != "" {
		note += " from " + safe.Text(hdr.Host)
	}
	if !hdr.Started.IsZero() {
		note += ", recorded " + hdr.Started.Local().Format("2006-01-02 15:04:05")
	}
	player := record.NewPlayer(rec, speed, note)
	ctx, stop := signalContext()
	defer stop()
	return runTUI(ctx, ui.Config{
		Feed:            live.Plain{Feed: player},
		OS:              hdr.OS,
		Host:            hdr.Host,
		Ephemeral:       hdr.Ephemeral,
		EphemeralSource: "the recording",
		Interval:        hdr.Interval,
		Filter:          filterText,
		Renderer:        renderer,
		Palette:         d.palette(),
		Warn:            d.warn,
		Replay:          player,
		Now:             player.Now,
	})
}

// loadReplay reads the recording at path. Everything cheap comes before
// the terminal check (the file exists, is a recording, the filter suits
// it); loading the events comes after it. A pipe (FIFO, or <(...)) is
// read as a stream to its end, after a line on stderr: it waits for its
// writer, and for the writer to finish.
func loadReplay(path, filterText string, stderr io.Writer) (*record.Recording, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, replayLoadError(path, err)
	}
	if fi.Mode()&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice) != 0 {
		if err := requireTerminal(); err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "porttop: %s is a pipe: reading it to its end before the replay starts (ctrl+c stops)\n", safe.Text(path))
		rec, err := record.LoadFile(path)
		if err != nil {
			return nil, replayLoadError(path, err)
		}
		if _, err := parseFilter("replay", filterText, rec.Header.Ephemeral); err != nil {
			return nil, err
		}
		return rec, nil
	}
	o, err := record.OpenFile(path)
	if err != nil {
		return nil, replayLoadError(path, err)
	}
	defer o.Close()
	if _, err := parseFilter("replay", filterText, o.Header().Ephemeral); err != nil {
		return nil, err
	}
	if err := requireTerminal(); err != nil {
		return nil, err
	}
	rec, err := o.Load()
	if err != nil {
		return nil, replayLoadError(path, err)
	}
	return rec, nil
}

// replayLoadError says in one line why a file cannot be replayed; all of
// these are the user's choice of file, so exit 2.
func replayLoadError(path string, err error) error {
	path = safe.Text(path)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return failf(exitUsage, "cannot read %s: %v", path, pe.Err)
	case record.IsNotRecording(err):
		return failf(exitUsage, "%s: %v", path, err)
	}
	return failf(exitUsage, "%s: %v", path, err)
}
