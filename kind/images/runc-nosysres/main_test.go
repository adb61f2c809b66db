package main

import (
	"strings"
	"testing"
)

func TestSpecPath(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--root", "/r", "--log", "l", "create", "--bundle", "/b", "--pid-file", "p", "id"}, "/b/config.json"},
		{[]string{"run", "--bundle=/x", "id"}, "/x/config.json"},
		{[]string{"create", "id"}, "./config.json"},
		{[]string{"--root", "/r", "exec", "--process", "/tmp/p.json", "--detach", "id"}, "/tmp/p.json"},
		{[]string{"exec", "-p", "/tmp/q.json", "id"}, "/tmp/q.json"},
		{[]string{"exec", "id", "ls"}, ""},
		{[]string{"--root", "/r", "start", "id"}, ""},
		{[]string{"delete", "--force", "id"}, ""},
	}
	for _, c := range cases {
		if got := specPath(c.args); got != c.want {
			t.Errorf("specPath(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}

func TestStripJSON(t *testing.T) {
	in := `{"ociVersion":"1.0.2","process":{"capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_RESOURCE"],` +
		`"effective":["CAP_SYS_RESOURCE"],"ambient":null},"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615}]}}`
	out, changed, err := stripJSON([]byte(in), "CAP_SYS_RESOURCE")
	if err != nil || !changed {
		t.Fatalf("stripJSON: changed=%v err=%v", changed, err)
	}
	s := string(out)
	if strings.Contains(s, "CAP_SYS_RESOURCE") || !strings.Contains(s, `"CAP_CHOWN"`) {
		t.Errorf("capabilities not filtered: %s", s)
	}
	if !strings.Contains(s, "18446744073709551615") {
		t.Errorf("rlimit number altered: %s", s)
	}
	proc := `{"args":["sh"],"capabilities":{"bounding":["CAP_KILL"]}}`
	if _, changed, _ := stripJSON([]byte(proc), "CAP_SYS_RESOURCE"); changed {
		t.Error("a process without the capability reported a change")
	}
}
