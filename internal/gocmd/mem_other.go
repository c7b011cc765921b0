//go:build !linux

package gocmd

// totalMemory is the machine's physical memory in bytes: unknown here, so
// gcEnv leaves the go command's garbage collector at Go's defaults.
func totalMemory() uint64 { return 0 }
