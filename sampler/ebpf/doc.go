// Package ebpf is porttop's kernel side on Linux: BPF programs, written with
// cilium/ebpf's asm package (no clang, nothing generated), attached to the
// tracepoint sock:inet_sock_set_state and to connect() and bind()'s syscall
// tracepoints. They stream every TCP state change with the socket's
// addresses, a kernel timestamp and the acting process, and every connect or
// port-0 bind that failed for lack of a local port, through a BPF ring buffer
// (a perf buffer on kernels before 5.8). Decoding the records is a pure
// function (record.go) tested on any OS; loading needs root or CAP_BPF and
// CAP_PERFMON. See README.md.
package ebpf
