//go:build probetag

package shared

// Tagged exists only with -tags=probetag.
func Tagged() bool { return true }
