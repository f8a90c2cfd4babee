package ports

import "fmt"

// EphemeralRange is the range this OS hands out for outgoing connections
// (its "ephemeral" or "dynamic" ports), with where that came from: a file,
// a sysctl or a command, so the UI can show its source. When reading fails
// it returns DefaultEphemeral, a source naming that default, and the error,
// so the caller can both carry on and say why.
func EphemeralRange() (r Range, source string, err error) {
	return ephemeralOrDefault(readEphemeral)
}

// ephemeralOrDefault falls back to the OS default when read fails.
func ephemeralOrDefault(read func() (Range, string, error)) (r Range, source string, err error) {
	r, source, err = read()
	if err != nil {
		return DefaultEphemeral(), defaultSource, fmt.Errorf("reading the ephemeral port range from %s: %w", source, err)
	}
	return r, source, nil
}

// DefaultEphemeral is this OS's documented default ephemeral range.
func DefaultEphemeral() Range { return defaultEphemeral }
