//go:build linux

package sockdiag

import (
	"fmt"

	"github.com/porttop/porttop/sampler"
)

// Destroy closes s in the kernel (SOCK_DESTROY, as `ss -K`): a TCP
// connection is reset, its program's next read or write fails with
// ECONNABORTED. It needs CAP_NET_ADMIN; without it the error says so.
func Destroy(s sampler.Socket) error {
	c, err := dial() // keeps CAP_NET_ADMIN, unlike the dump socket
	if err != nil {
		return err
	}
	defer c.Close()
	const seq = 1
	req, err := appendDestroy(nil, seq, &s)
	if err != nil {
		return err
	}
	if err := c.Send(req); err != nil {
		return fmt.Errorf("send sock_diag destroy: %w", err)
	}
	buf := make([]byte, 4096)
	n, err := c.Recv(buf)
	if err != nil {
		return fmt.Errorf("receive sock_diag destroy answer: %w", err)
	}
	errno, err := parseAck(buf[:n], seq)
	if err != nil {
		return err
	}
	return destroyError(errno)
}
