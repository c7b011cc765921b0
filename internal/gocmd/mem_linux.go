package gocmd

import (
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// totalMemory is the memory this process may use, in bytes: the machine's
// physical memory, or its cgroup's limit when that is lower (a container);
// 0 if unknown.
func totalMemory() uint64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	total := uint64(si.Totalram) * uint64(si.Unit)
	if data, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, f := range cgroupLimitFiles(string(data)) {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if l := parseLimit(string(b)); l > 0 && l < total {
				total = l
			}
			break
		}
	}
	return total
}

// cgroupLimitFiles are the files that may hold the memory limit of the
// cgroup that /proc/self/cgroup's content names, best first: cgroup v2's
// memory.max, v1's memory.limit_in_bytes, each under the cgroup's path and
// then at the root of the mount (a container sees its own cgroup there).
func cgroupLimitFiles(procSelfCgroup string) []string {
	var files []string
	for _, line := range strings.Split(procSelfCgroup, "\n") {
		id, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		controllers, p, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		switch {
		case id == "0" && controllers == "":
			files = append(files, path.Join("/sys/fs/cgroup", p, "memory.max"), "/sys/fs/cgroup/memory.max")
		case slices.Contains(strings.Split(controllers, ","), "memory"):
			files = append(files, path.Join("/sys/fs/cgroup/memory", p, "memory.limit_in_bytes"), "/sys/fs/cgroup/memory/memory.limit_in_bytes")
		}
	}
	return files
}

// parseLimit reads a cgroup memory limit file's content: a number of
// bytes, or "max" (no limit: 0).
func parseLimit(s string) uint64 {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}
