package probe

// A host built for another platform than this machine's (an arm64 gateway
// verified on an amd64 laptop): its probe is built for the host's platform
// with that platform's C cross compiler, and runs under a user-mode
// emulator (qemu-aarch64 -L /usr/aarch64-linux-gnu, see package target),
// in the same sandbox, with the same limits and timeouts scaled for the
// emulation. The supervisor starts the probe proper by path, and the
// kernel cannot run a foreign program without binfmt_misc: both start a
// small shell script that runs the probe under the emulator.

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/target"
)

// EmulationFactor multiplies the timeouts of a probe run under an
// emulator.
const EmulationFactor = 5

// CannotRunError says that the host's platform is not this machine's and
// that its programs cannot be built or run here: no emulator, no C cross
// compiler. The dynamic check cannot run; the static check can.
type CannotRunError struct {
	Host     string
	Platform target.Platform
	Reason   string
}

func (e *CannotRunError) Error() string {
	return fmt.Sprintf("the dynamic check did not run: the host %s is built for %s, which this %s machine cannot run: %s", e.Host, e.Platform, target.Native(), e.Reason)
}

// platformOf is the platform the host's build settings name (this
// machine's when they name none).
func platformOf(settings map[string]string) target.Platform {
	n := target.Native()
	return target.Platform{GOOS: cmp.Or(settings["GOOS"], n.GOOS), GOARCH: cmp.Or(settings["GOARCH"], n.GOARCH)}
}

// forTarget returns the go command that builds the probe of a host with
// these build settings: with the C cross compiler of a foreign platform,
// found with the emulator that will run it, else a *CannotRunError.
func forTarget(host string, settings map[string]string, g *gocmd.Go) (*gocmd.Go, error) {
	plat := platformOf(settings)
	if !plat.Foreign() {
		return g, nil
	}
	env := target.Getenv(g.Env)
	if _, err := target.FindEmulator(env, plat); err != nil {
		return nil, &CannotRunError{Host: host, Platform: plat, Reason: err.Error()}
	}
	cc, err := target.CC(env, plat)
	if err != nil {
		reason := err.Error()
		if ce, ok := err.(*target.CCError); ok {
			reason += "; " + ce.Fix()
		}
		return nil, &CannotRunError{Host: host, Platform: plat, Reason: "its probe cannot be built: " + reason}
	}
	return g.With("CC=" + cc), nil
}

// Emulate prepares p to run under the emulator of its host's platform
// when that is not this machine's: a *CannotRunError when there is none.
// env is the environment whose PATH is searched (nil: this process's).
func (p *Probe) Emulate(env []string) error {
	plat := platformOf(settingsOf(p.HostInfo))
	if !plat.Foreign() {
		return nil
	}
	emu, err := target.FindEmulator(target.Getenv(env), plat)
	if err != nil {
		return &CannotRunError{Host: p.Host, Platform: plat, Reason: err.Error()}
	}
	script := "#!/bin/sh\n# Written by pluginctl: runs the probe under the emulator of its host's platform.\nexec"
	for _, a := range emu.Args(p.Host, p.Path) {
		script += " " + shellQuote(a)
	}
	script += " \"$@\"\n"
	launcher := p.Path + ".emulated"
	if err := writeIfChanged(launcher, []byte(script), 0o755); err != nil {
		return fmt.Errorf("writing the probe's emulator script: %w", err)
	}
	p.launcher = launcher
	return nil
}

// exe is the program that starts the probe: the probe itself, or its
// emulator script.
func (p *Probe) exe() string {
	if p.launcher != "" {
		return p.launcher
	}
	return p.Path
}

// scaled is a timeout of a run of p.
func (p *Probe) scaled(d time.Duration) time.Duration {
	if p.launcher != "" {
		return d * EmulationFactor
	}
	return d
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
