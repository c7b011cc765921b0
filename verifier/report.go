package verifier

import "github.com/pluginctl/pluginctl/internal/diag"

// The report's data model is diag's (one model for every command's
// diagnoses); these names keep it usable from verifier.
type (
	Report         = diag.Report
	HostInfo       = diag.HostInfo
	ArtifactReport = diag.ArtifactReport
	Write          = diag.Write
	Summary        = diag.Summary
)

// Schema is the version of the JSON report (diag.Schema).
const Schema = diag.Schema
