package diskfs

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestControlValidate(t *testing.T) {
	for _, tc := range []struct {
		c  Control
		ok bool
	}{
		{Control{}, true},
		{Control{Delay: "20ms", Ops: []string{"fsync", "write"}}, true},
		{Control{ErrorRate: 100, Path: "ib_"}, true},
		{Control{Delay: "soon"}, false},
		{Control{Delay: "-1s"}, false},
		{Control{ErrorRate: 101}, false},
		{Control{Ops: []string{"unlink"}}, false},
	} {
		if err := tc.c.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: err = %v, want ok=%v", tc.c, err, tc.ok)
		}
	}
	if (Control{}).Active() || (Control{Delay: "0s"}).Active() || !(Control{ErrorRate: 1}).Active() {
		t.Error("Active")
	}
}

func TestRulesMatchOpsAndPath(t *testing.T) {
	r, err := Control{ErrorRate: 100, Ops: []string{OpWrite}, Path: "/fl/t"}.rules()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[[2]string]syscall.Errno{
		{OpWrite, "fl/t.ibd"}:     syscall.EIO,
		{OpWrite, "fl/t2.ibd"}:    syscall.EIO, // a prefix, not a file name
		{OpFsync, "fl/t.ibd"}:     0,
		{OpWrite, "ib_logfile0"}:  0,
		{OpWrite, "other/fl/t.x"}: 0,
	}
	for c, want := range cases {
		if got := r.apply(c[0], c[1]); got != want {
			t.Errorf("%s %s: %v, want %v", c[0], c[1], got, want)
		}
	}
	var none *rules
	if none.apply(OpWrite, "x") != 0 {
		t.Error("nil rules must pass through")
	}
}

func TestWatcherReloadsControlFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "control.json")
	w := &watcher{file: file, log: t.Logf}
	w.load() // no file: pass through
	if w.apply(OpOpen, "x") != 0 {
		t.Fatal("missing control file must pass through")
	}
	if err := WriteControl(file, Control{ErrorRate: 100}); err != nil {
		t.Fatal(err)
	}
	w.load()
	if w.apply(OpOpen, "x") != syscall.EIO {
		t.Fatal("new control not applied")
	}
	if err := os.WriteFile(file, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.load()
	if w.apply(OpOpen, "x") != syscall.EIO {
		t.Fatal("a bad control file must keep the rules in force")
	}
	if err := WriteControl(file, Control{}); err != nil {
		t.Fatal(err)
	}
	w.load()
	if w.apply(OpOpen, "x") != 0 {
		t.Fatal("`{}` must pass through")
	}
}
