package sampler

// State is a socket's state. The numbering follows the Linux kernel's TCP
// states so that sock_diag values need no translation; 0 is "no state" (UDP).
type State uint8

const (
	StateNone        State = 0
	StateEstablished State = 1
	StateSynSent     State = 2
	StateSynRecv     State = 3
	StateFinWait1    State = 4
	StateFinWait2    State = 5
	StateTimeWait    State = 6
	StateClose       State = 7
	StateCloseWait   State = 8
	StateLastAck     State = 9
	StateListen      State = 10
	StateClosing     State = 11
	StateNewSynRecv  State = 12
	stateCount             = 13
)

var stateNames = [stateCount]string{
	"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
}

// String gives the state as ss and netstat spell it ("TIME_WAIT"); "" for none.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "UNKNOWN"
}

// ParseState reads a state name in any case, with "_" or "-" ("time-wait",
// "TIME_WAIT", "timewait"). It also accepts gopsutil's "NONE" for no state.
// It allocates nothing: recordings and filters call it for every line.
func ParseState(name string) (State, bool) {
	if name == "" || foldState(name, "NONE") {
		return StateNone, true
	}
	for i := 1; i < len(stateNames); i++ {
		if foldState(name, stateNames[i]) {
			return State(i), true
		}
	}
	return 0, false
}

// foldState compares name with an upper-case state name, ignoring case and
// any "_" or "-" in either.
func foldState(name, want string) bool {
	i, j := 0, 0
	for {
		for i < len(name) && (name[i] == '_' || name[i] == '-') {
			i++
		}
		for j < len(want) && want[j] == '_' {
			j++
		}
		if i == len(name) || j == len(want) {
			return i == len(name) && j == len(want)
		}
		c := name[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != want[j] {
			return false
		}
		i++
		j++
	}
}

// StateMask is a set of states, bit i for State(i): the shape sock_diag takes.
type StateMask uint32

// AllStates matches every state.
const AllStates StateMask = 1<<stateCount - 1

// Has reports whether s is in the mask.
func (m StateMask) Has(s State) bool { return m&(1<<s) != 0 }

// MaskOf builds a mask from states.
func MaskOf(states ...State) StateMask {
	var m StateMask
	for _, s := range states {
		m |= 1 << s
	}
	return m
}
