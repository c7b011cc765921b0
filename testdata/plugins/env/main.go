// Plugin env: its Name reports the process's sandbox (environment,
// resource limits, process group, working directory), for the probe's
// tests.
package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/pluginctl/pluginctl/pluginapi"
)

var APIVersion = pluginapi.APIVersion

type plug struct{}

func (plug) Name() string {
	var core, as, cpu syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_CORE, &core)
	syscall.Getrlimit(syscall.RLIMIT_AS, &as)
	syscall.Getrlimit(syscall.RLIMIT_CPU, &cpu)
	wd, _ := os.Getwd()
	// The environment's names (its values are not for the report; only
	// whether one holds the test's secret), last: the report cuts it.
	var names []string
	secret := false
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		names = append(names, k)
		secret = secret || strings.Contains(v, "hunter")
	}
	return strings.Join([]string{
		"secret=" + strconv.FormatBool(secret),
		"core=" + strconv.FormatUint(core.Cur, 10),
		"as=" + strconv.FormatUint(as.Cur, 10),
		"cpu=" + strconv.FormatUint(cpu.Cur, 10),
		"pgid=" + strconv.FormatBool(syscall.Getpgrp() == os.Getpid()),
		"wd=" + wd,
		"args=" + strings.Join(os.Args, " "),
		"fds=" + strings.Join(fds(), ","),
		"leak=" + leak(),
		"ppid=" + strconv.Itoa(os.Getppid()),
		"env=" + strings.Join(names, ";"),
	}, "|")
}

// fds lists the process's open file descriptors.
func fds() []string {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return []string{err.Error()}
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	var out []string
	for _, n := range names {
		if t, err := os.Readlink("/proc/self/fd/" + n); err == nil && !strings.HasSuffix(t, "/fd") && !strings.HasPrefix(t, "/proc/") &&
			!strings.HasPrefix(t, "anon_inode:") && !strings.HasPrefix(t, "/sys/fs/cgroup/") { // the Go runtime's own
			out = append(out, n+":"+t)
		}
	}
	return out
}

// leak looks for the test's secret in the environment of every process
// it can see, its parent's and grandparent's first: the pids where it
// was found, or "none".
func leak() string {
	d, err := os.Open("/proc")
	if err != nil {
		return "none"
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	var found []string
	for _, n := range names {
		if b, err := os.ReadFile("/proc/" + n + "/environ"); err == nil && strings.Contains(string(b), "PLUGINCTL_TEST_SECRET=hunter2") {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return "none"
	}
	return strings.Join(found, ",")
}

func (plug) Handle(req *pluginapi.Request) (*pluginapi.Response, error) {
	return &pluginapi.Response{Status: pluginapi.StatusOK, Body: req.Body}, nil
}

func New() pluginapi.Plugin { return plug{} }
