package gocmd

import (
	"slices"
	"testing"
)

func TestCgroupLimitFiles(t *testing.T) {
	for _, tc := range []struct {
		name, cgroup string
		want         []string
	}{
		{"v2 in a container", "0::/\n", []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.max"}},
		{"v2 in a systemd unit", "0::/system.slice/ci.service\n", []string{"/sys/fs/cgroup/system.slice/ci.service/memory.max", "/sys/fs/cgroup/memory.max"}},
		{"v1", "5:devices:/\n4:memory:/job/42\n1:cpu,cpuacct:/\n", []string{"/sys/fs/cgroup/memory/job/42/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}},
		{"v1 with shared controllers", "3:memory,hugetlb:/a\n", []string{"/sys/fs/cgroup/memory/a/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}},
		{"no memory controller", "1:cpu:/\n", nil},
		{"garbage", "nonsense\n\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cgroupLimitFiles(tc.cgroup); !slices.Equal(got, tc.want) {
				t.Errorf("cgroupLimitFiles(%q) = %q, want %q", tc.cgroup, got, tc.want)
			}
		})
	}
}

func TestParseLimit(t *testing.T) {
	for in, want := range map[string]uint64{
		"4294967296\n":          4 << 30,
		"max\n":                 0,
		"9223372036854771712\n": 9223372036854771712,
		"":                      0,
		"-1":                    0,
	} {
		if got := parseLimit(in); got != want {
			t.Errorf("parseLimit(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestTotalMemory(t *testing.T) {
	if totalMemory() == 0 {
		t.Error("totalMemory() = 0 on Linux, which always answers sysinfo(2)")
	}
}
