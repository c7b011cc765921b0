package diag

// VetSchema is the version of vet's JSON document.
const VetSchema = "pluginctl.vet/v1"

// VetReport is what pluginctl vet found: its JSON document.
type VetReport struct {
	// Schema is the version of the JSON document (VetSchema).
	Schema string `json:"schema"`
	// Dir is the directory positions are relative to (absolute; not in
	// the JSON document, which carries no machine path).
	Dir string `json:"-"`
	// API is the API package checked against.
	API string `json:"api"`
	// Findings, sorted by position (module-level ones by file), then check.
	Findings []Finding `json:"findings"`
	// Errors are packages that could not be listed, parsed or
	// type-checked: not analyzed (like go vet, they fail the run).
	Errors []string `json:"errors,omitempty"`
	// Packages are the import paths of the packages the patterns
	// matched; Plugins and Hosts those recognized as such (as `pluginctl
	// build` discovers them).
	Packages []string   `json:"packages"`
	Plugins  []string   `json:"plugins,omitempty"`
	Hosts    []string   `json:"hosts,omitempty"`
	Summary  VetSummary `json:"summary"`
}

// Finding is one problem found in the source. Its Problem has Check
// Vet, Code the check's name and Pos "file:line:col" (file relative to
// the report's Dir; "file" alone for a module-level finding).
type Finding struct {
	Problem
	// Package is the import path of the package the finding is about;
	// "" for module-level (apicopy) findings.
	Package string `json:"package,omitempty"`
	// Category refines Code ("stale", "unchecked-assertion", ...).
	Category string `json:"category,omitempty"`
	// Edits are the mechanical fix, when there is one: apply all of
	// them to get code without this finding.
	Edits []Edit `json:"edits,omitempty"`
}

// Edit replaces the bytes [Start, End) of File (relative to the report's
// Dir, like Pos) with New.
type Edit struct {
	File  string `json:"file"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	New   string `json:"new"`
}

// VetSummary counts findings.
type VetSummary struct {
	Packages int `json:"packages"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// Failed reports whether the run should fail: an error-severity finding
// or a package that could not be analyzed.
func (r *VetReport) Failed() bool { return r.Summary.Errors > 0 || len(r.Errors) > 0 }
