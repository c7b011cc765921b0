// Package conflictlib is linked by the conflict plugins, never by a host.
// The test builds conflictb against an overlay copy of this file with
// other contents, so the two plugins carry two versions of it.
package conflictlib

// Version says which copy this is.
func Version() string { return "a" }
