package sockdiag

import (
	"errors"
	"io"
	"os"
	"sync"
)

// procFiles keeps the counter files a Source reads open, and reads each
// again from its start: a procfs seq_file makes its text afresh at each
// read from offset 0, so what is read is current, for a read and no open
// or close (an event-kept table asks whether UDP held still ten times a
// second; the open was most of it). Safe for concurrent use.
type procFiles struct {
	mu    sync.Mutex
	files map[string]*os.File
}

// read reads the file at path into buf (from empty), growing it as
// needed; a file that fails to read is closed and opened afresh next time.
func (p *procFiles) read(path string, buf []byte) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.files[path]
	if f == nil {
		var err error
		if f, err = os.Open(path); err != nil {
			return buf[:0], err
		}
		if p.files == nil {
			p.files = map[string]*os.File{}
		}
		p.files[path] = f
	}
	buf = buf[:0]
	if cap(buf) < 4096 {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.ReadAt(buf[len(buf):cap(buf)], int64(len(buf)))
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) || (err == nil && n == 0) {
			return buf, nil
		}
		if err != nil {
			f.Close()
			delete(p.files, path)
			return buf, err
		}
	}
}

// close closes every file kept open.
func (p *procFiles) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for path, f := range p.files {
		f.Close()
		delete(p.files, path)
	}
}
