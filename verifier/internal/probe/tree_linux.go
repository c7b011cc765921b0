package probe

// This file is compiled twice, like wire.go: into package probe, where
// pluginctl kills what a probe left running, and into every generated
// probe program, whose supervisor does the same. It imports only os and
// syscall, which every Go program links.

import (
	"os"
	"syscall"
)

// descendants returns the processes below root (not root itself), read
// from /proc: the children of each process are those whose parent is it.
func descendants(root int) []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	children := map[int][]int{}
	for _, name := range names {
		pid, ok := atoi(name)
		if !ok {
			continue
		}
		if ppid, ok := parentOf(pid); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var out []int
	queue := []int{root}
	seen := map[int]bool{root: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// parentOf reads the parent of pid from /proc/PID/stat: the fourth field,
// after the command name in parentheses (which may hold anything).
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + string(appendInt(nil, pid)) + "/stat")
	if err != nil {
		return 0, false
	}
	i := len(b) - 1
	for i >= 0 && b[i] != ')' {
		i--
	}
	if i < 0 {
		return 0, false
	}
	// ") S PPID ..."
	_, rest, _ := cut(string(b[i+1:]), ' ')
	_, rest, _ = cut(rest, ' ')
	ppid, _, _ := cut(rest, ' ')
	return atoi(ppid)
}

// killTree kills root's descendants, then root: each is stopped first,
// before its children are listed, so that none can fork a process that
// escapes; what setsid or setpgid moved out of root's process group is
// found all the same, as long as it is still below root (the supervisor
// is a subreaper: orphans below it stay below it).
func killTree(root int) {
	stopped := map[int]bool{}
	syscall.Kill(root, syscall.SIGSTOP)
	for round := 0; round < 100; round++ {
		fresh := false
		for _, pid := range descendants(root) {
			if !stopped[pid] {
				syscall.Kill(pid, syscall.SIGSTOP)
				stopped[pid] = true
				fresh = true
			}
		}
		if !fresh {
			break
		}
	}
	for pid := range stopped {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	syscall.Kill(root, syscall.SIGKILL)
}
