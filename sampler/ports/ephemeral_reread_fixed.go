//go:build !linux && !darwin && !freebsd

package ports

// EphemeralRereader is nil here: Windows's range costs a netsh process to
// read, too much for every second, and other systems' is a fixed assumption.
// The range read at the start stays in force.
func EphemeralRereader() func() (Range, error) { return nil }
