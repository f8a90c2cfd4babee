//go:build linux

package procowner

import (
	"bytes"
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// direntsBuf is the size of the buffer a directory is read in parts into
// (as os reads one): a /proc/PID/fd entry takes 24-32 bytes of it.
const direntsBuf = 8 << 10

// eachEntry reads the directory open as fd in parts into buf (getdents64)
// and calls each with every entry's name but "." and "..", NUL-terminated
// (its last byte is 0), in buf: valid until each returns. Nothing is
// allocated per entry; a directory of 84k fds (the holder process of
// BIG=1) read by Readdirnames(-1) allocated ~6 MB of names at once.
func eachEntry(fd int, buf []byte, each func(cname []byte)) error {
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		for rec := buf[:n]; len(rec) >= direntName; {
			reclen := int(binary.NativeEndian.Uint16(rec[direntReclen:]))
			if reclen < direntName || reclen > len(rec) {
				return unix.EIO // not a dirent64: the kernel's own, never
			}
			name := rec[direntName:reclen]
			rec = rec[reclen:]
			end := bytes.IndexByte(name, 0)
			if end < 0 {
				return unix.EIO
			}
			cname := name[:end+1]
			if string(cname) == ".\x00" || string(cname) == "..\x00" {
				continue
			}
			each(cname)
		}
	}
}

// Offsets in struct linux_dirent64: d_ino 8 bytes, d_off 8, d_reclen 2,
// d_type 1, then the name.
const (
	direntReclen = 16
	direntName   = 19
)

// readlinkAt is unix.Readlinkat for a NUL-terminated name (one that
// eachEntry gave): the name is not copied into a string made for the call.
func readlinkAt(dirfd int, cname, buf []byte) (int, error) {
	for {
		n, _, errno := unix.Syscall6(unix.SYS_READLINKAT, uintptr(dirfd),
			uintptr(unsafe.Pointer(&cname[0])), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
		switch errno {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue
		default:
			return 0, errno
		}
	}
}
