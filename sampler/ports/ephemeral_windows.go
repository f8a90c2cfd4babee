package ports

import (
	"context"
	"os/exec"
	"time"
)

// Windows (Vista and later) follows IANA's dynamic range by default.
var defaultEphemeral = Range{49152, 65535}

const (
	defaultSource = "Windows default; netsh could not be read"
	netshSource   = "netsh int ipv4 show dynamicport tcp"
)

func readEphemeral() (Range, string, error) {
	// netsh can hang when its helper service is stuck; never wait long.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "netsh", "int", "ipv4", "show", "dynamicport", "tcp").Output()
	if err != nil {
		return Range{}, netshSource, err
	}
	r, err := parseNetshDynamicPort(string(out))
	return r, netshSource, err
}
