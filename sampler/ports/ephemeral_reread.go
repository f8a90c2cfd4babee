//go:build linux || darwin || freebsd

package ports

// EphemeralRereader returns a function that reads the ephemeral range again,
// for a running porttop to follow a change (an SRE widening
// ip_local_port_range). Here that is one small /proc file or two sysctls,
// cheap enough to do every second. It returns no default: a failed read is
// an error, and the caller keeps the range it has.
func EphemeralRereader() func() (Range, error) {
	return func() (Range, error) {
		r, _, err := readEphemeral()
		return r, err
	}
}
