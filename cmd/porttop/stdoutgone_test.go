package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porttop/porttop/sampler"
	"github.com/porttop/porttop/sampler/record"
)

// failAfter accepts n bytes, then fails every write with err.
type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	f.n -= len(p)
	return len(p), nil
}

// fixedFeed hands out batches of one loopback open, for ever.
type fixedFeed struct{}

func (fixedFeed) Next(context.Context) (sampler.Batch, error) {
	s := sampler.Socket{ID: sampler.ID{Proto: sampler.TCP, Local: netip.MustParseAddrPort("127.0.0.1:40000")}, State: sampler.StateListen}
	return sampler.Batch{Events: []sampler.Event{{Kind: sampler.Opened, Time: time.Unix(1, 0), Socket: s}}}, nil
}

func TestStreamerTellsReaderGoneFromWriteFailure(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		stdout    bool
		wantGone  bool
		wantWords string
	}{
		{"stdout, reader gone", syscall.EPIPE, true, true, ""},
		{"stdout, reader gone, wrapped", &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}, true, true, ""},
		{"stdout, disk full", &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}, true, false, "writing stdout: write /dev/stdout: no space left on device"},
		{"stdout, i/o error", syscall.EIO, true, false, "writing stdout: "},
		{"record file, broken pipe", syscall.EPIPE, false, false, "writing rec.jsonl: broken pipe"},
		{"record file, disk full", syscall.ENOSPC, false, false, "writing rec.jsonl: no space left on device"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := record.NewWriter(&failAfter{n: 1 << 20, err: c.err}, record.Header{Started: time.Unix(0, 0)})
			if err != nil {
				t.Fatal(err)
			}
			s := streamer{recordName: "rec.jsonl"}
			if c.stdout {
				s.stdout = w
			}
			got := s.which(w, c.err)
			if gone := errors.Is(got, errStdoutGone); gone != c.wantGone {
				t.Fatalf("which(%v) = %v: reader gone %v, want %v", c.err, got, gone, c.wantGone)
			}
			if !c.wantGone && !strings.Contains(got.Error(), c.wantWords) {
				t.Errorf("which(%v) = %q, want it to say %q", c.err, got, c.wantWords)
			}
		})
	}
}

// A stream whose stdout fills up mid-way ends with the error, not quietly.
func TestStreamLoopReportsStdoutFailure(t *testing.T) {
	for _, c := range []struct {
		err  error
		gone bool
	}{{syscall.ENOSPC, false}, {syscall.EPIPE, true}} {
		out := &failAfter{n: 1, err: c.err} // the header gets through
		w, err := record.NewWriter(out, record.Header{Started: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		s := streamer{outs: []*record.Writer{w}, stdout: w, said: map[string]bool{}}
		err = s.loop(t.Context(), &fixedFeed{})
		if gone := errors.Is(err, errStdoutGone); gone != c.gone || err == nil {
			t.Errorf("%v on stdout: loop returned %v; want the reader gone: %v", c.err, err, c.gone)
		}
		if !c.gone && !strings.Contains(fmt.Sprint(err), "writing stdout") {
			t.Errorf("%v on stdout: %v does not say stdout", c.err, err)
		}
	}
}
