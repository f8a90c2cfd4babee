package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/porttop/porttop/sampler/record"
	"github.com/porttop/porttop/ui"
)

func runReplay(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("replay")
	var d display
	var filterText string
	speed := 1.0
	fs.displayFlags(&d)
	fs.StringVar(&filterText, "filter", "", "filter text")
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
	rec, err := record.LoadFile(path)
	if err != nil {
		return replayLoadError(path, err)
	}
	hdr := rec.Header
	if _, err := parseFilter("replay", filterText, hdr.Ephemeral); err != nil {
		return err
	}
	if err := requireTerminal(); err != nil {
		return err
	}
	renderer := newRenderer(d)
	note := "replay of " + filepath.Base(path)
	if hdr.Host != "" {
		note += " from " + hdr.Host
	}
	if !hdr.Started.IsZero() {
		note += ", recorded " + hdr.Started.Local().Format("2006-01-02 15:04:05")
	}
	player := record.NewPlayer(rec, speed, note)
	ctx, stop := signalContext()
	defer stop()
	return runTUI(ctx, ui.Config{
		Feed:            player,
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

// replayLoadError says in one line why a file cannot be replayed; all of
// these are the user's choice of file, so exit 2.
func replayLoadError(path string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return failf(exitUsage, "cannot read %s: %v", path, pe.Err)
	case record.IsNotRecording(err):
		return failf(exitUsage, "%s: %v", path, err)
	}
	return failf(exitUsage, "%s: %v", path, err)
}
