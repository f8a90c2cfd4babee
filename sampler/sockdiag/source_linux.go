package sockdiag

import "github.com/porttop/porttop/sampler"

var _ sampler.ReleaseWatcher = (*Source)(nil)

// dialDefault is the dump socket in this process's namespace, without
// CAP_NET_ADMIN (see dialDump).
func dialDefault() (Conn, error) {
	c, err := dialDump()
	if err != nil {
		return nil, err
	}
	return c, nil
}
