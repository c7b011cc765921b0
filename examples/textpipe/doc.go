// Package textpipe is a small, complete example of a Go plugin project as
// pluginctl expects it: a host (cmd/host) and two plugins
// (plugins/filter, plugins/transform) built from one module against the
// shared package github.com/pluginctl/pluginctl/pluginapi, and loaded with
// github.com/pluginctl/pluginctl/pluginapi/loader.
//
// This package itself holds only this documentation and the end-to-end
// test, which builds the three binaries and runs the host. See README.md
// for the build commands.
package textpipe
