package sampler

// Owner is who holds a socket: the process, its user and whether it still
// holds it. Sources fill what they can read; the rules below carry an owner
// over from an earlier view of the same socket, mark it gone when no
// process holds the socket any more, and name it for display. They live
// here alone: the diff, the release handling, recordings and the views all
// call them.
type Owner struct {
	// PID is 0 when unknown (not attributed, or hidden from this user).
	PID int32
	// UID is the owning user, -1 when unknown.
	UID int32
	// Process is the process name, "" when unknown.
	Process string
	// Start is when process PID started (clock ticks since boot, field 22
	// of /proc/PID/stat), which tells a reused pid from the process that
	// held the socket; 0 when unknown.
	Start uint64
	// Gone is true when PID and Process name the process that last held
	// the socket, carried over from an earlier sample, and no process
	// holds it now (TIME_WAIT, or a connection closed by its program and
	// finishing its shutdown in the kernel).
	Gone bool
}

// Inherit is o, sampled with no owner, given the owner an earlier view of
// the same socket knew: pid, process and start time, and uid when o lacks
// it. The owner is gone unless held, that is unless a file still holds the
// socket (it has an inode): then it is only unseen now (not readable to
// this user at the moment).
func (o Owner) Inherit(earlier Owner, held bool) Owner {
	if o.PID == 0 && earlier.PID != 0 {
		o.PID = earlier.PID
		if o.Process == "" {
			o.Process = earlier.Process
		}
		if o.Start == 0 {
			o.Start = earlier.Start
		}
		o.Gone = !held
	}
	if o.UID < 0 && earlier.UID >= 0 {
		o.UID = earlier.UID
	}
	return o
}

// In is o for a socket in state st: no process holds a socket in
// TIME_WAIT, so a pid known there is its last owner's; and gone says
// nothing without a pid.
func (o Owner) In(st State) Owner {
	o.Gone = o.PID != 0 && (o.Gone || st == StateTimeWait)
	return o
}

// Released is o once its socket was released to TIME_WAIT: a known pid is
// its last owner's.
func (o Owner) Released() Owner { return o.In(StateTimeWait) }

// Departed reports whether a known process held the socket and none holds
// it now.
func (o Owner) Departed() bool { return o.Gone && o.PID != 0 }

// Label is the owner as a PROCESS cell shows it: the name, "" when
// unknown; the name of a process that no longer holds the socket in
// parentheses ("(curl)"), saying who made it (a TIME_WAIT pile's author)
// without claiming it still holds the port.
func (o Owner) Label() string {
	if o.Gone && o.Process != "" {
		return "(" + o.Process + ")"
	}
	return o.Process
}
