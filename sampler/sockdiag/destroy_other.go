//go:build !linux

package sockdiag

import (
	"errors"

	"github.com/porttop/porttop/sampler"
)

// Destroy is Linux's alone (sock_diag SOCK_DESTROY).
func Destroy(sampler.Socket) error {
	return errors.New("closing a connection from porttop needs Linux (sock_diag SOCK_DESTROY)")
}
