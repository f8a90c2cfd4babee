//go:build !linux

package sockdiag

// dialDefault reports ErrUnsupported: sock_diag is Linux's, so New fails
// off Linux (Open with a Dial of its own works anywhere, as tests do).
func dialDefault() (Conn, error) { return nil, ErrUnsupported }
