package ports

// FreeBSD's default net.inet.ip.portrange.first/last.
var defaultEphemeral = Range{10000, 65535}

const defaultSource = "FreeBSD default; the sysctl could not be read"
