package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version")
	pos, err := fs.parse(args)
	if err != nil {
		return helpOr(err, "version", stdout)
	}
	if len(pos) > 0 {
		return usagef("version", "unexpected argument %q", pos[0])
	}
	fmt.Fprintf(stdout, "porttop %s%s (%s, %s/%s)\n", version, vcsRevision(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// vcsRevision is " commit abc1234" from the build's VCS stamp, when present.
func vcsRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 7 {
		rev = rev[:7]
	}
	if rev == "" {
		return ""
	}
	if dirty {
		rev += "+changes"
	}
	return " commit " + rev
}
