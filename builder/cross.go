// The build's target platform: --goos/--goarch (or GOOS/GOARCH in the
// environment, as the go command reads them), or a released host's; and
// the C compiler for it, found before anything is built.

package builder

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pluginctl/pluginctl/internal/gocmd"
	"github.com/pluginctl/pluginctl/internal/released"
	platform "github.com/pluginctl/pluginctl/internal/target"
)

// targetEnv is the environment that selects the options' target, nil for
// the go command's default. With --for, the host's target is the target:
// another one is refused.
func (o *Options) targetEnv(fh *forHost) ([]string, error) {
	if o.GOOS == "" && o.GOARCH == "" {
		return nil, nil
	}
	if fh != nil {
		h := fh.host.File.BuildTarget
		if (o.GOOS != "" && o.GOOS != h.GOOS) || (o.GOARCH != "" && o.GOARCH != h.GOARCH) {
			return nil, &EnvError{
				Msg: fmt.Sprintf("--goos/--goarch %s/%s contradict the host %s, which is built for %s", o.GOOS, o.GOARCH, fh.o.Host, h),
				Fix: "drop --goos/--goarch: --for builds for the host's platform",
			}
		}
		return nil, nil
	}
	var env []string
	if o.GOOS != "" {
		env = append(env, "GOOS="+o.GOOS)
	}
	if o.GOARCH != "" {
		env = append(env, "GOARCH="+o.GOARCH)
	}
	return env, nil
}

// crossCC returns the C compiler for the target that env reports, when it
// is not this machine's (platform.CC), checked to be there; "" for a native
// build, whose compiler checkCC checks.
func crossCC(g *gocmd.Go, env *gocmd.Env) (string, error) {
	plat := platform.Platform{GOOS: env.GOOS, GOARCH: env.GOARCH}
	cc, err := platform.CC(platform.Getenv(g.Env), plat)
	var ce *platform.CCError
	if errors.As(err, &ce) {
		return "", &EnvError{Msg: "building for " + plat.String() + ": " + ce.Error(), Fix: ce.Fix(), Err: err}
	}
	if err != nil || cc == "" {
		return "", err
	}
	if name := strings.Fields(cc)[0]; !lookable(name, platform.Getenv(g.Env)("PATH")) {
		return "", &EnvError{
			Msg: fmt.Sprintf("building for %s: the C compiler %q (CC=%s) is not found", plat, name, cc),
			Fix: "install it, or point CC (or CC_FOR_" + plat.GOOS + "_" + plat.GOARCH + ") at a C cross compiler for " + plat.String(),
		}
	}
	return cc, nil
}

// lookable reports whether name is an executable path, or found on path.
func lookable(name, path string) bool {
	if strings.ContainsRune(name, os.PathSeparator) {
		fi, err := os.Stat(name)
		return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
	}
	if path == "" {
		_, err := exec.LookPath(name)
		return err == nil
	}
	for _, dir := range filepath.SplitList(path) {
		if fi, err := os.Stat(filepath.Join(dir, name)); dir != "" && err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return true
		}
	}
	return false
}

// checkHostPlatform refuses a host whose ELF header and build info name
// two architectures: the dynamic loader goes by the header, the build by
// the build info, and plugins built for one do not load in the other.
func checkHostPlatform(path string, h *released.Host) error {
	e, b := h.File.ELFTarget.GOARCH, h.File.BuildTarget.GOARCH
	if e == "" || b == "" || e == b {
		return nil
	}
	return &ForHostError{
		Host: path, Msg: fmt.Sprintf("its ELF header is for %s, its build info says GOARCH=%s: plugins built for it would not load", e, b),
		Fix: "give the host binary as it was built (a file with an edited header is not the file that was built)",
	}
}
