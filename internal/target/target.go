// Package target knows the platforms pluginctl builds plugins for and
// verifies them on: which C cross compiler serves a GOOS/GOARCH other than
// the machine's (cgo is required for plugins), and which user-mode
// emulator runs its programs here, with which C library root.
package target

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Platform is a GOOS/GOARCH pair.
type Platform struct {
	GOOS, GOARCH string
}

// Native is the platform pluginctl runs on.
func Native() Platform { return Platform{runtime.GOOS, runtime.GOARCH} }

// Foreign reports whether p's programs cannot run natively here.
func (p Platform) Foreign() bool {
	return p.GOOS != runtime.GOOS || p.GOARCH != runtime.GOARCH
}

func (p Platform) String() string { return p.GOOS + "/" + p.GOARCH }

// arch is what Debian calls a GOARCH: the GNU triple of its cross
// compiler and C library (/usr/TRIPLE), the crossbuild-essential package
// that installs both, and QEMU's name for it (qemu-NAME).
// and the name of its dynamic loader.
type arch struct {
	triple, pkg, qemu, loader string
}

// arches are the GOARCH values that -buildmode=plugin supports on linux.
var arches = map[string]arch{
	"amd64":   {"x86_64-linux-gnu", "crossbuild-essential-amd64", "x86_64", "ld-linux-x86-64.so.2"},
	"386":     {"i686-linux-gnu", "crossbuild-essential-i386", "i386", "ld-linux.so.2"},
	"arm64":   {"aarch64-linux-gnu", "crossbuild-essential-arm64", "aarch64", "ld-linux-aarch64.so.1"},
	"arm":     {"arm-linux-gnueabihf", "crossbuild-essential-armhf", "arm", "ld-linux-armhf.so.3"},
	"riscv64": {"riscv64-linux-gnu", "crossbuild-essential-riscv64", "riscv64", "ld-linux-riscv64-lp64d.so.1"},
	"s390x":   {"s390x-linux-gnu", "crossbuild-essential-s390x", "s390x", "ld64.so.1"},
	"ppc64le": {"powerpc64le-linux-gnu", "crossbuild-essential-ppc64el", "ppc64le", "ld64.so.2"},
	"loong64": {"loongarch64-linux-gnu", "crossbuild-essential-loong64", "loongarch64", "ld-linux-loongarch-lp64d.so.1"},
}

// Triple is the GNU triple of p's Debian cross toolchain ("" when
// unknown).
func (p Platform) Triple() string {
	if p.GOOS != "linux" {
		return ""
	}
	return arches[p.GOARCH].triple
}

// CCError is a foreign platform without a C compiler.
type CCError struct {
	Platform Platform
	// Looked is the compiler looked for on PATH ("" when none is known
	// for the platform); Package the Debian package that installs it.
	Looked, Package string
}

func (e *CCError) Error() string {
	if e.Looked == "" {
		return fmt.Sprintf("no C compiler for %s: CC is not set, and pluginctl knows no cross compiler for it; Go plugins need cgo, which compiles C and assembly for the target", e.Platform)
	}
	return fmt.Sprintf("no C compiler for %s: %s is not on PATH and CC is not set; Go plugins need cgo, which compiles C and assembly for the target", e.Platform, e.Looked)
}

// Fix says how to get a compiler.
func (e *CCError) Fix() string {
	v := "CC_FOR_" + e.Platform.GOOS + "_" + e.Platform.GOARCH
	if e.Package == "" {
		return fmt.Sprintf("set CC (or %s) to a C cross compiler for %s", v, e.Platform)
	}
	return fmt.Sprintf("apt-get install %s (Debian, Ubuntu), or set CC (or %s) to a C cross compiler for %s", e.Package, v, e.Platform)
}

// CC returns the C compiler for building for the foreign platform p on
// this machine, from the environment getenv reads: CC_FOR_<GOOS>_<GOARCH>,
// CC_FOR_TARGET, CC, in that order, when set; else Debian's cross compiler
// TRIPLE-gcc when it is on getenv's PATH. For the native platform it is ""
// (the go command's own choice). A foreign platform without a compiler is
// a *CCError; a compiler named by the environment is not looked for here.
func CC(getenv func(string) string, p Platform) (string, error) {
	if !p.Foreign() {
		return "", nil
	}
	for _, k := range []string{"CC_FOR_" + p.GOOS + "_" + p.GOARCH, "CC_FOR_TARGET", "CC"} {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v, nil
		}
	}
	a, ok := arches[p.GOARCH]
	if !ok || p.GOOS != "linux" {
		return "", &CCError{Platform: p}
	}
	name := a.triple + "-gcc"
	if _, err := lookPath(getenv("PATH"), name); err != nil {
		return "", &CCError{Platform: p, Looked: name, Package: a.pkg}
	}
	return name, nil
}

// Emulator runs p's programs on this machine: QEMU's user-mode emulator
// with the C library root of p's cross toolchain.
type Emulator struct {
	// Path is the emulator binary; Root the directory holding p's C
	// library and dynamic loader (qemu -L), "" when they are at their
	// usual place.
	Path, Root string
	// Via says how it was found: "PATH" or "binfmt_misc".
	Via string
}

// Args is the command line that runs prog (with argv[0] argv0) under the
// emulator: the program's own arguments follow.
func (e *Emulator) Args(argv0, prog string) []string {
	a := []string{e.Path}
	if e.Root != "" {
		a = append(a, "-L", e.Root)
	}
	return append(a, "-0", argv0, prog)
}

// binfmtDir is where binfmt_misc registrations are listed; sysRoot the
// root of the file system the C libraries are looked for in.
var (
	binfmtDir = "/proc/sys/fs/binfmt_misc"
	sysRoot   = "/"
)

// FindEmulator finds the emulator for p's programs, looking up PATH in
// getenv's PATH: qemu-NAME (or qemu-NAME-static), else the interpreter a
// binfmt_misc registration names. The error says why there is none, and
// how to get one.
func FindEmulator(getenv func(string) string, p Platform) (*Emulator, error) {
	a, ok := arches[p.GOARCH]
	if !ok || p.GOOS != "linux" || runtime.GOOS != "linux" {
		return nil, fmt.Errorf("pluginctl knows no emulator for %s programs", p)
	}
	e := &Emulator{}
	for _, name := range []string{"qemu-" + a.qemu, "qemu-" + a.qemu + "-static"} {
		if path, err := lookPath(getenv("PATH"), name); err == nil {
			e.Path, e.Via = path, "PATH"
			break
		}
	}
	if e.Path == "" {
		e.Path = binfmtInterpreter("qemu-" + a.qemu)
		e.Via = "binfmt_misc"
	}
	if e.Path == "" {
		return nil, fmt.Errorf("no emulator for %s programs: qemu-%s is not on PATH and no binfmt_misc entry runs them (apt-get install qemu-user)", p, a.qemu)
	}
	root := filepath.Join(sysRoot, "usr", a.triple)
	if loaderIn(root, a.loader) {
		e.Root = root
	} else if !loaderIn(sysRoot, a.loader) {
		return nil, fmt.Errorf("no C library for %s programs: %s has no dynamic loader for them (apt-get install %s)", p, root, a.pkg)
	}
	return e, nil
}

// loaderIn reports whether root holds the dynamic loader name in lib or
// lib64.
func loaderIn(root, name string) bool {
	for _, dir := range []string{"lib", "lib64"} {
		if _, err := os.Stat(filepath.Join(root, dir, name)); err == nil {
			return true
		}
	}
	return false
}

// binfmtInterpreter is the interpreter of the enabled binfmt_misc entry
// name, "" when there is none.
func binfmtInterpreter(name string) string {
	data, err := os.ReadFile(filepath.Join(binfmtDir, name))
	if err != nil || !strings.HasPrefix(string(data), "enabled") {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "interpreter "); ok {
			if fi, err := os.Stat(v); err == nil && fi.Mode()&0o111 != 0 {
				return v
			}
		}
	}
	return ""
}

// lookPath is exec.LookPath on the given PATH list.
func lookPath(path, name string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return filepath.Abs(p)
		}
	}
	return "", exec.ErrNotFound
}

// Getenv reads an environment list as the go command does: the last entry
// wins; nil is this process's environment.
func Getenv(env []string) func(string) string {
	if env == nil {
		return os.Getenv
	}
	return func(k string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(env[i], k+"="); ok {
				return v
			}
		}
		return ""
	}
}
