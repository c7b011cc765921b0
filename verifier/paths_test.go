package verifier

import (
	"debug/elf"
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/pluginctl/pluginctl/internal/artifact"
	"github.com/pluginctl/pluginctl/internal/diag"
)

// TestReadProblem: each reason a file cannot be read as a plugin gets its
// own message and fix (issue 13).
func TestReadProblem(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		code     diag.Code
		msg, fix string
		notInFix string
	}{
		{"permission", &fs.PathError{Op: "open", Path: "p.so", Err: syscall.EACCES}, Unreadable,
			"permission denied", "chmod a+r p.so", "pluginctl build"},
		{"named pipe", &artifact.NotPluginError{Path: "p.so", Reason: "not a regular file: a named pipe (FIFO)", Mode: fs.ModeNamedPipe}, NotAPlugin,
			"a named pipe (FIFO)", "not a pipe, device or socket", "pluginctl build"},
		{"C library", &artifact.NotPluginError{Path: "p.so", Reason: "a C shared library (ELF shared object without Go build info)"}, NotAPlugin,
			"not a Go plugin: a C shared library", "dynamic linker", ""},
		{"truncated", &artifact.NotPluginError{Path: "p.so", Reason: "truncated ELF header (12 bytes)"}, NotAPlugin,
			"truncated", "pluginctl build", ""},
		{"loop", &fs.PathError{Op: "open", Path: "p.so", Err: syscall.ELOOP}, Unreadable,
			"symbolic link loop", "link", "pluginctl build"},
	} {
		p := readProblem("p.so", tc.err)
		if p.Code != tc.code || !strings.Contains(p.Message, tc.msg) || !strings.Contains(p.Fix, tc.fix) ||
			(tc.notInFix != "" && strings.Contains(p.Fix, tc.notInFix)) {
			t.Errorf("%s: got %s %q (fix %q); want %s, message with %q, fix with %q and without %q",
				tc.name, p.Code, p.Message, p.Fix, tc.code, tc.msg, tc.fix, tc.notInFix)
		}
	}
}

// TestCompareELF: the ELF identity the dynamic loader checks is compared
// with the host's; GNU/Linux and System V are one system.
func TestCompareELF(t *testing.T) {
	linux := func() *artifact.File {
		return &artifact.File{Machine: elf.EM_X86_64, Class: elf.ELFCLASS64, ByteOrder: elf.ELFDATA2LSB, OSABI: elf.ELFOSABI_NONE,
			BuildTarget: artifact.Target{GOOS: "linux", GOARCH: "amd64"}}
	}
	host := linux()
	for _, tc := range []struct {
		name string
		edit func(*artifact.File)
		want string // "" for no problem
	}{
		{"same", func(*artifact.File) {}, ""},
		{"GNU OS ABI", func(f *artifact.File) { f.OSABI = elf.ELFOSABI_LINUX }, ""},
		{"aarch64", func(f *artifact.File) { f.Machine = elf.EM_AARCH64 }, "machine: plugin AARCH64, host X86_64"},
		{"FreeBSD", func(f *artifact.File) { f.OSABI = elf.ELFOSABI_FREEBSD }, "OS ABI: plugin FREEBSD, host System V (Linux)"},
		{"32-bit", func(f *artifact.File) { f.Class = elf.ELFCLASS32 }, "class: plugin 32-bit, host 64-bit"},
		{"big-endian", func(f *artifact.File) { f.ByteOrder = elf.ELFDATA2MSB }, "byte order: plugin big-endian, host little-endian"},
	} {
		f := linux()
		tc.edit(f)
		p := compareELF(f, host)
		switch {
		case tc.want == "" && p != nil:
			t.Errorf("%s: unexpected problem %+v", tc.name, p)
		case tc.want != "" && (p == nil || p.Code != NotAPlugin || !strings.Contains(strings.Join(p.Detail, "\n"), tc.want)):
			t.Errorf("%s: got %+v, want not-a-plugin with %q", tc.name, p, tc.want)
		case p != nil && !strings.Contains(p.Fix, "linux/amd64"):
			t.Errorf("%s: fix %q does not name the host's platform", tc.name, p.Fix)
		}
	}
}

// TestFinishKeepsRawPaths: a path that is not UTF-8 survives JSON in
// path_bytes.
func TestFinishKeepsRawPaths(t *testing.T) {
	raw := "plugins/bad\xffname.so"
	r := &diag.Report{Host: &diag.HostInfo{Path: "bin/h\xfe"}, Artifacts: []diag.ArtifactReport{{Path: raw}, {Path: "plugins/ok.so"}}}
	r.Finish()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back diag.Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if got := string(back.Artifacts[0].PathBytes); got != raw {
		t.Errorf("path_bytes gives %q, want %q", got, raw)
	}
	if string(back.Host.PathBytes) != "bin/h\xfe" {
		t.Errorf("host path_bytes gives %q", back.Host.PathBytes)
	}
	if strings.Contains(string(data), `"path_bytes":null`) || len(back.Artifacts[1].PathBytes) != 0 {
		t.Errorf("path_bytes set for a UTF-8 path: %s", data)
	}
}

// TestStatError: an argument that cannot be used is described as what it
// is, not as "no such file".
func TestStatError(t *testing.T) {
	dir := t.TempDir()
	loop := dir + "/loop.so"
	os.Symlink(loop, loop)
	dangling := dir + "/dangling.so"
	os.Symlink(dir+"/gone.so", dangling)
	for _, tc := range []struct{ path, want string }{
		{loop, "a symbolic link loop"},
		{dangling, "a dangling symbolic link"},
		{dir + "/nosuch.so", "no such file or directory"},
		{dir + "/evil\n.so", `"` + dir + `/evil\n.so": no such file`},
	} {
		_, err := os.Stat(tc.path)
		got := statError(tc.path, err).Error()
		if !strings.Contains(got, tc.want) {
			t.Errorf("statError(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
