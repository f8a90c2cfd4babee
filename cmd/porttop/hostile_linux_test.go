package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Names any local user can give a process: prctl(PR_SET_NAME) takes up to
// 15 bytes, control characters included.
var hostileProcessNames = []string{
	"\x1b]2;PWNED\x07\x1b[31m", // sets a terminal's title, then red
	"X\rY\tZ\nW",               // splits a line, returns the cursor
}

// hostileEnv holds the name the child takes.
const hostileEnv = "PORTTOP_TEST_HOSTILE_NAME"

func init() {
	if os.Getenv(testChild) == "hostile-listener" {
		// PR_SET_NAME names the calling thread; on the main thread that is
		// the process's name in /proc/PID/comm and stat.
		runtime.LockOSThread()
	}
	childModes["hostile-listener"] = hostileListener
}

// hostileListener renames itself, listens on a loopback port, prints the
// port and holds it until stdin closes.
func hostileListener() {
	name := append([]byte(os.Getenv(hostileEnv)), 0)
	if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0, 0, 0); err != nil {
		fmt.Println("prctl:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// startHostile runs the test binary as a process named name holding a
// loopback port, and returns the port.
func startHostile(t *testing.T, name string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(self)
	c.Env = append(os.Environ(), testChild+"=hostile-listener", hostileEnv+"="+name)
	in, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); _ = c.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	port := strings.TrimSpace(line)
	if err != nil || strings.ContainsAny(port, ": ") {
		t.Fatalf("the renamed listener did not start: %q %v", line, err)
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", c.Process.Pid))
	if err != nil || strings.TrimSuffix(string(comm), "\n") != name {
		t.Fatalf("the listener is named %q, want %q (%v)", comm, name, err)
	}
	return port
}

// noControl fails on any control character but a newline in out.
func noControl(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Errorf("%s: raw control character %U at byte %d:\n%q", what, r, i, out)
			return
		}
	}
}

// A real process named to attack a terminal, holding a loopback port: who,
// who --json, explain, watch and the live view show its name, escaped
// (JSON: exact, JSON's own escapes), one line per socket.
func TestHostileProcessNameEverywhere(t *testing.T) {
	for _, name := range hostileProcessNames {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			port := startHostile(t, name)
			escaped := strings.NewReplacer("\x1b", `\x1b`, "\x07", `\a`, "\r", `\r`, "\t", `\t`, "\n", `\n`).Replace(name)

			r := runPorttop(t, "who", port)
			noControl(t, "who", r.stdout+r.stderr)
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			if r.code != 0 || len(lines) != 2 || !strings.Contains(lines[1], escaped) {
				t.Errorf("who %s: want exit 0, a header and one line showing %s; got %d:\n%s%s", port, escaped, r.code, r.stdout, r.stderr)
			}

			r = runPorttop(t, "who", "--json", port)
			var obj struct{ Process string }
			if err := json.Unmarshal([]byte(r.stdout), &obj); err != nil || strings.Count(r.stdout, "\n") != 1 || obj.Process != name {
				t.Errorf("who --json %s: want one object with the exact name, got %v:\n%s", port, err, r.stdout)
			}
			noControl(t, "who --json", r.stdout)

			r = runPorttop(t, "explain", port)
			noControl(t, "explain", r.stdout+r.stderr)
			if !strings.Contains(strings.ReplaceAll(r.stdout, "\n", ""), escaped) {
				t.Errorf("explain %s does not name %s:\n%s", port, escaped, r.stdout)
			}

			s := startPorttop(t, "watch", "--port", port)
			l := s.waitLine("the listener", func(l jsonLine) bool { return l.Event == "open" && l.Local != "" })
			if l.Process != name {
				t.Errorf("watch: process %q, want %q exactly", l.Process, name)
			}

			m := newTmux(t)
			m.start("--port", port, "--interval", "200ms")
			m.waitText("porttop", escaped[:9])
			if title := m.run("display-message", "-p", "-t", "porttop", "#{pane_title}"); strings.Contains(title, "PWNED") {
				t.Errorf("the live view let the name set the terminal's title: %q", title)
			}
			screen := m.capture("porttop")
			for _, l := range strings.Split(screen, "\n") {
				if strings.Contains(l, port) && strings.Contains(l, "LISTEN") && !strings.Contains(l, escaped[:9]) {
					t.Errorf("a row of port %s does not show the name escaped on its line:\n%s", port, screen)
				}
			}
			m.keys("porttop", "q")
			m.waitText("porttop", exitMarker+"0")
		})
	}
}

// A shared recording can hold any text in its names: replayed, none of it
// reaches the terminal raw (an OSC 52 clipboard write, a title, a line
// break), and an error quoting the file is escaped too.
func TestHostileRecordingReplay(t *testing.T) {
	const osc52 = "\x1b]52;c;cm0gLXJmIH4K\x07"
	rec, err := os.ReadFile("testdata/loopback.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	text := strings.Replace(string(rec), `"host":"vm"`, `"host":`+q("evil"+osc52+"\x1b]2;PWNED\x07\nhost"), 1)
	text = strings.Replace(text, `"os":"linux"`, `"os":`+q("linux\x1b[2J"), 1)
	text = strings.Replace(text, `"source":"netlink"`, `"source":`+q("netlink\r\x1b]2;PWNED\x07"), 1)
	text = strings.Replace(text, `"filter":"56319"`, `"filter":`+q("56319\x1b]2;PWNED\x07"), 1)
	text = strings.ReplaceAll(text, `"process":"python3"`, `"process":`+q("py\x1b]2;PWNED\x07\u202e"+osc52))
	dir := t.TempDir()
	path := dir + "/hostile.jsonl"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}

	m := newTmux(t)
	m.start("replay", path, "--speed", "16")
	m.waitText("porttop", `evil\x1b]52;c;cm0gLXJmIH4K\a`)
	m.waitText("porttop", `py\x1b]2;PWNED`)
	if title := m.run("display-message", "-p", "-t", "porttop", "#{pane_title}"); strings.Contains(title, "PWNED") {
		t.Errorf("the replay let the recording set the terminal's title: %q", title)
	}
	if buf, _ := m.cmd("show-buffer").CombinedOutput(); strings.Contains(string(buf), "rm -rf") {
		t.Errorf("the replay wrote to the clipboard (OSC 52): %q", buf)
	}
	m.keys("porttop", "q")
	m.waitText("porttop", exitMarker+"0")

	// A damaged hostile file: the error names the file and the line, escaped.
	bad := dir + "/bad\x1b]2;PWNED\x07.jsonl"
	if err := os.WriteFile(bad, []byte(strings.Replace(text, `"state":"LISTEN"`, `"state":`+q("LISTEN\x1b]2;PWNED\x07"), 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	m2 := newTmux(t)
	m2.start("replay", bad)
	screen := m2.waitText("porttop", exitMarker+"2")
	flat := strings.Join(strings.Fields(strings.ReplaceAll(screen, "\n", "")), " ")
	if !strings.Contains(flat, `bad\x1b]2;PWNED\a.jsonl: line 2: state "LISTEN\x1b]2;PWNED\a" is`) || !strings.Contains(flat, "socket state") {
		t.Errorf("want the error quoting the file escaped:\n%s", screen)
	}
	if title := m2.run("display-message", "-p", "-t", "porttop", "#{pane_title}"); strings.Contains(title, "PWNED") {
		t.Errorf("the error line set the terminal's title: %q", title)
	}
}
