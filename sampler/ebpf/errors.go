package ebpf

// UnavailableError says in one line why the kernel side cannot run: not
// permitted, a kernel too old, or a program the kernel refused. Its message
// fits one header note.
type UnavailableError struct {
	Why          string
	Err          error
	NotPermitted bool // running as root or with the capabilities would fix it
}

func (e *UnavailableError) Error() string { return "ebpf unavailable: " + e.Why }
func (e *UnavailableError) Unwrap() error { return e.Err }
