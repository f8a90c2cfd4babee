package sockdiag

import (
	"errors"
	"fmt"
)

// ErrUnsupported is returned by New where netlink sock_diag does not exist.
var ErrUnsupported = errors.New("netlink sock_diag is only available on Linux")

func errShort(what string, got, want int) error {
	return fmt.Errorf("sock_diag: truncated %s: %d bytes, need %d", what, got, want)
}

func errFamily(f uint8) error {
	return fmt.Errorf("sock_diag: unexpected address family %d", f)
}
