package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Developers only (not in the help), beside the profiles of profile.go:
//
//	PORTTOP_KEYLOG=FILE  one line per key the live view answers: from the
//	                     read that brought the key off the terminal to the
//	                     end of the write of the first frame made after it
//
// .ci/bench's BIG scenario reads it: a key timed from outside (tmux
// send-keys to the pane's output) includes the harness's own ~100 ms, this
// does not. Each line:
//
//	key=s total_ms=12.4 queued_ms=0.1 update_ms=3.0 view_ms=5.2 write_ms=4.1
//
// queued is the read to the key's Update (the event loop busy with other
// messages), update and view the model's own, write from View's end to
// the frame written (the renderer's tick, up to 1/60 s, and the write).
// A key whose screen does not change (no frame written) logs nothing.
const keyLogEnv = "PORTTOP_KEYLOG"

// keyClock times keys through the program: the terminal's reads
// (timedInput), the model's Update and View (timedModel) and the
// renderer's writes (timedOutput) each tell it when they ran.
type keyClock struct {
	mu  sync.Mutex
	log io.WriteCloser

	lastRead time.Time // the newest read that returned bytes
	// The key being answered: zero key.read when none.
	key struct {
		name                string
		read, update, after time.Time // read; Update began; Update returned
		viewed              time.Time // View returned (zero: not yet)
	}
}

// newKeyClock opens the log the environment names; nil when it names none
// or the file cannot be made (the program never depends on it).
func newKeyClock() *keyClock {
	path := os.Getenv(keyLogEnv)
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil
	}
	return &keyClock{log: f}
}

func (c *keyClock) close() {
	if c != nil {
		_ = c.log.Close()
	}
}

func (c *keyClock) read(at time.Time) {
	c.mu.Lock()
	c.lastRead = at
	c.mu.Unlock()
}

// updating notes a key reaching Update at start, answered by the time
// done; a key not yet written is forgotten (its screen did not change).
func (c *keyClock) updating(k tea.KeyMsg, start, done time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key.name, c.key.read, c.key.update, c.key.after = k.String(), c.lastRead, start, done
	c.key.viewed = time.Time{}
	if c.key.read.IsZero() || c.key.read.After(start) {
		c.key.read = start // keys not read through timedInput (tests)
	}
}

func (c *keyClock) viewed(at time.Time) {
	c.mu.Lock()
	if !c.key.read.IsZero() && c.key.viewed.IsZero() {
		c.key.viewed = at
	}
	c.mu.Unlock()
}

// wrote notes a write to the terminal begun at start and ended at end: the
// first begun after the key's View is its frame (one begun earlier held the
// renderer while View ran: the frame before).
func (c *keyClock) wrote(start, end time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := &c.key
	if k.read.IsZero() || k.viewed.IsZero() || start.Before(k.viewed) {
		return
	}
	ms := func(a, b time.Time) float64 { return float64(b.Sub(a).Microseconds()) / 1000 }
	_, _ = fmt.Fprintf(c.log, "key=%q total_ms=%.1f queued_ms=%.1f update_ms=%.1f view_ms=%.1f write_ms=%.1f\n",
		k.name, ms(k.read, end), ms(k.read, k.update), ms(k.update, k.after), ms(k.after, k.viewed), ms(k.viewed, end))
	k.read = time.Time{}
}

// timedInput is the terminal with each read timed. It stays a terminal
// (Fd, Name, Write and Close are the file's): bubbletea still puts it in
// raw mode and cancels its reads.
type timedInput struct {
	*os.File
	c *keyClock
}

func (t timedInput) Read(p []byte) (int, error) {
	n, err := t.File.Read(p)
	if n > 0 {
		t.c.read(time.Now())
	}
	return n, err
}

// timedOutput is the terminal with each write timed.
type timedOutput struct {
	*os.File
	c *keyClock
}

func (t timedOutput) Write(p []byte) (int, error) {
	start := time.Now()
	n, err := t.File.Write(p)
	t.c.wrote(start, time.Now())
	return n, err
}

// timedModel is the program's model with its key Updates and Views timed.
type timedModel struct {
	tea.Model
	c *keyClock
}

func (m timedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, isKey := msg.(tea.KeyMsg)
	start := time.Now()
	next, cmd := m.Model.Update(msg)
	if isKey {
		m.c.updating(k, start, time.Now())
	}
	return timedModel{next, m.c}, cmd
}

func (m timedModel) View() string {
	v := m.Model.View()
	m.c.viewed(time.Now())
	return v
}

// timed wraps the program's model, input and output in c's timing; as they
// are when c is nil.
func (c *keyClock) timed(m tea.Model, in, out *os.File) (tea.Model, io.Reader, io.Writer) {
	if c == nil {
		return m, in, out
	}
	return timedModel{m, c}, timedInput{in, c}, timedOutput{out, c}
}
