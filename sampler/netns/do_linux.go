//go:build linux

package netns

import (
	"fmt"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// Open opens the nsfs file of namespace n (its /run/netns name, else a
// process's /proc/PID/ns/net) and checks that it is still n: a name may
// have been deleted and made again, a pid reused.
func Open(n NS) (*os.File, error) {
	var paths []string
	if n.Name != "" {
		paths = append(paths, NamesDir+"/"+n.Name)
	}
	if n.PID != 0 {
		paths = append(paths, ProcDir+"/"+strconv.Itoa(int(n.PID))+"/ns/net")
	}
	if n.Self {
		paths = append(paths, ProcDir+"/self/ns/net")
	}
	var err error = fmt.Errorf("network namespace %s: nothing to open it by", n.Label())
	for _, p := range paths {
		f, oerr := os.Open(p)
		if oerr != nil {
			err = oerr
			continue
		}
		var st unix.Stat_t
		if serr := unix.Fstat(int(f.Fd()), &st); serr != nil || st.Ino != n.Inode {
			f.Close()
			err = fmt.Errorf("network namespace %s is gone (%s is another now)", n.Label(), p)
			continue
		}
		return f, nil
	}
	return nil, err
}

// Do runs fn on an OS thread inside namespace n and returns its error.
// The thread enters n with setns(2) (which needs CAP_SYS_ADMIN) and is
// never handed back to the scheduler: it exits with the goroutine, so no
// other goroutine ever runs in n. fn must not start goroutines that expect
// to be in n; a socket or a /proc/sys file it opens stays n's when used
// from anywhere afterwards.
func Do(n NS, fn func() error) error {
	f, err := Open(n)
	if err != nil {
		return err
	}
	defer f.Close()
	return do(int(f.Fd()), n.Label(), fn)
}

func do(fd int, label string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() == unix.Getpid() {
			// The main thread: /proc/self shows its namespace (porttop's
			// own, for discovery and procfs counters), and the runtime
			// wedges it rather than ending it. Hold it, so that the
			// goroutine below runs on another thread, and let it go after.
			errc <- do(fd, label, fn)
			runtime.UnlockOSThread()
			return
		}
		// Locked for good from here: the thread dies with this goroutine.
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("enter network namespace %s: %w", label, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
