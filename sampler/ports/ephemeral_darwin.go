package ports

// macOS follows IANA's dynamic range by default.
var defaultEphemeral = Range{49152, 65535}

const defaultSource = "macOS default; the sysctl could not be read"
