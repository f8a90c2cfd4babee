package demo

import (
	"net"
	"time"
)

var netDialer = net.Dialer{Timeout: time.Second}
