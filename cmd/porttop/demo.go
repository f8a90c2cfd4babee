package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/porttop/porttop/cmd/porttop/internal/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo")
	cfg := demo.Config{Rate: 20, Out: stdout}
	var duration time.Duration
	fs.value("rate", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("not a whole number of connections a second")
		}
		if n < demo.MinRate || n > demo.MaxRate {
			return fmt.Errorf("out of range: choose %d to %d connections a second", demo.MinRate, demo.MaxRate)
		}
		cfg.Rate = n
		return nil
	}, "connections a second")
	fs.BoolVar(&cfg.UDP, "udp", false, "udp clients too")
	fs.value("duration", func(v string) error {
		d, err := parseDuration(v)
		if errors.Is(err, errDurationTooLong) {
			return fmt.Errorf("too long: durations go up to 2562047h (about 290 years)")
		}
		if err != nil || d <= 0 {
			return fmt.Errorf("not a positive duration: write it like 30s or 5m")
		}
		duration = d
		return nil
	}, "stop after D")
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "demo", stdout)
	}
	if len(pos) > 0 {
		return usagef("demo", "unexpected argument %q", pos[0])
	}
	ignoreBrokenPipe() // a reader that goes away is an error to handle, not a kill
	d, err := demo.Start(cfg)
	if err != nil {
		return failf(exitFail, "demo: %v", err)
	}
	ctx, stop := signalContext()
	defer stop()
	if duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, duration)
		defer cancel()
	}
	if err := d.Run(ctx); err != nil {
		if readerGone(err) {
			return nil // `porttop demo | head -1`: the reader has what it wanted
		}
		return failf(exitFail, "writing stdout: %v", err)
	}
	return nil
}
