// Package record reads and writes porttop's JSON Lines stream, the format of
// `porttop watch` and of recordings (`porttop record`, `porttop replay`).
//
// The format is a promise to scripts: fields are only ever added, never
// renamed or removed, and readers ignore fields and line kinds they do not
// know. The first line is a header:
//
//	{"porttop":1,"os":"linux","ephemeral_range":[32768,60999],"interval_ms":1000,"host":"web1","started":"2026-11-26T03:43:09.123456789Z","source":"netlink"}
//
// Every further line is an event or, when asked for, a stats line:
//
//	{"time":"2026-11-26T03:43:10.5Z","event":"open","proto":"tcp","local":"127.0.0.1:60716","remote":"127.0.0.1:8080","state":"ESTABLISHED","pid":123,"process":"curl","uid":1000,"range":"dynamic","os_ephemeral":true}
//	{"time":"2026-11-26T03:43:15Z","stats":{"sockets":42,"reported_opens":7,"dropped":0,"kernel_active_opens":5,"kernel_passive_opens":2}}
//
// When the OS ephemeral range changes mid-stream, a range change line says
// so, and later events' "os_ephemeral" is judged against it:
//
//	{"time":"2026-11-26T03:43:20.5Z","ephemeral_range":[40000,40100]}
//
// Unknown values are left out (pid, process, uid, state, prev_state). The
// FORMAT.md beside this file documents every field; format_doc_test.go
// keeps it exact.
package record
