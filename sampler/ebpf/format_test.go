package ebpf

import (
	"os"
	"strings"
	"testing"
)

func TestParseFormatReadsTheKernelsLayout(t *testing.T) {
	b, err := os.ReadFile("testdata/inet_sock_set_state.format")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFormat(string(b))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Field{
		"common_flags": {"common_flags", 2, 1},
		"skaddr":       {"skaddr", 8, 8},
		"oldstate":     {"oldstate", 16, 4},
		"newstate":     {"newstate", 20, 4},
		"sport":        {"sport", 24, 2},
		"dport":        {"dport", 26, 2},
		"family":       {"family", 28, 2},
		"protocol":     {"protocol", 30, 2},
		"saddr":        {"saddr", 32, 4},
		"daddr":        {"daddr", 36, 4},
		"saddr_v6":     {"saddr_v6", 40, 16},
		"daddr_v6":     {"daddr_v6", 56, 16},
	}
	for name, w := range want {
		if got := f[name]; got != w {
			t.Errorf("%s = %+v, want %+v", name, got, w)
		}
	}
	for _, name := range []string{"sys_enter_connect", "sys_enter_bind", "sys_exit_connect"} {
		b, err := os.ReadFile("testdata/" + name + ".format")
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFormat(string(b))
		if err != nil {
			t.Fatal(err)
		}
		field := map[string]string{"sys_enter_connect": "uservaddr", "sys_enter_bind": "umyaddr", "sys_exit_connect": "ret"}[name]
		if fd, err := f.Need(field, 8); err != nil || fd.Offset == 0 {
			t.Errorf("%s: %s = %+v, %v", name, field, fd, err)
		}
	}
}

func TestParseFormatRejectsWhatItCannotRead(t *testing.T) {
	for _, text := range []string{
		"",
		"name: x\nformat:\n",
		"\tfield:int x;\toffset:abc;\tsize:4;\tsigned:1;\n",
		"\tfield:int x;\tsize:4;\tsigned:1;\n",
		"\tfield:;\toffset:8;\tsize:4;\tsigned:1;\n",
		"\tfield:int x;\toffset:-8;\tsize:4;\tsigned:1;\n",
	} {
		if f, err := ParseFormat(text); err == nil {
			t.Errorf("ParseFormat(%q) = %v, want an error", text, f)
		}
	}
}

func TestNeedChecksNameAndSize(t *testing.T) {
	f, err := ParseFormat("\tfield:__u16 sport;\toffset:24;\tsize:2;\tsigned:0;\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Need("sport", 4); err == nil || !strings.Contains(err.Error(), "2 bytes") {
		t.Errorf("wrong size: %v", err)
	}
	if _, err := f.Need("dport", 2); err == nil || !strings.Contains(err.Error(), "no field") {
		t.Errorf("missing field: %v", err)
	}
	if fd, err := f.Need("sport", 2); err != nil || fd.Offset != 24 {
		t.Errorf("sport = %+v, %v", fd, err)
	}
}
