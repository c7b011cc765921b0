// Package vet runs pluginctl's source-level checks over the packages of
// a module and reports their findings as verifier.Problem values (Check
// "vet", Code the check's name, Pos "file:line:col"), so that `pluginctl
// vet` and `pluginctl verify` reports show side by side.
//
// # Entry point
//
//	res, err := vet.Run(ctx, vet.Options{Dir: dir, Patterns: []string{"./..."}})
//	// err: the packages could not be listed at all (exit 2)
//	res.Write(os.Stdout, "text") // or "json", "github" (vet.Formats)
//	if res.Failed() { ... }      // an error finding, or a package that does not compile (exit 1)
//
// Run loads the packages once: the import graph from one `go list -deps`,
// the types of dependencies from export data (one `go list -export` on
// the dependencies only: the analyzed packages are never compiled), and
// the source packages (the pattern matches plus the main-module packages
// they import) parsed and type-checked in parallel. The analyzers then
// run with golang.org/x/tools/go/analysis/checker. It works from a single
// module, a go.work workspace (./... covers every workspace module below
// Dir) and a vendored module.
//
// # Checks
//
// factory (error): a plugin's New must be exactly func() <api>.Plugin,
// an exported top-level function. A plugin is a package main declaring a
// top-level New (as `pluginctl build` discovers plugins), or a package
// main importing the API package that declares New-like factories.
//
//	func New() (pluginapi.Plugin, error)   // New has type func() (pluginapi.Plugin, error), want func() pluginapi.Plugin
//	func NewPlugin() pluginapi.Plugin      // plugin has no New; found NewPlugin (fix: rename it)
//	var New = func() pluginapi.Plugin {…}  // New is a variable … (fix: make it a function)
//	func New() *filter                     // (fix: return pluginapi.Plugin)
//
// apiversion (error; warning for a literal that still equals the API's):
// APIVersion must be var APIVersion = <api>.APIVersion, a string variable.
//
//	var APIVersion = "v0"                  // hand-copied literal "v0", but pluginapi.APIVersion is "v1" (fix: use pluginapi.APIVersion)
//	const APIVersion = pluginapi.APIVersion // a constant: Lookup cannot find it (fix: var)
//	var APIVersion version = …             // type version: Lookup gives the host a *version, not *string
//	(none)                                 // plugin declares no APIVersion (fix: adds the declaration)
//
// capabilities (error): the optional Capabilities and Init must be
// func() []string and func(<api>.Host) error.
//
//	func Init(h pluginapi.Host)            // Init has type func(h pluginapi.Host), want func(host pluginapi.Host) error
//	var Capabilities = []string{"filter"}  // a variable (fix: func Capabilities() []string { return … })
//
// initio (error; warning for C calls): init functions and package-level
// variable initializers of a plugin, and of the packages it imports,
// run inside the host's plugin.Open; they must not do I/O (files,
// network, processes, database/sql, system calls, other plugins), exit
// (os.Exit, log.Fatal, C.abort), panic unconditionally, loop forever,
// sleep, or call back into the host (a method of <api>.Host, a Register*
// function of a package the host links). Findings carry the call path,
// followed through the package and, by facts, through other module
// packages:
//
//	func init() { loadConfig() }           // init does file I/O (init → loadConfig → os.ReadFile at config.go:12)
//	import "example.com/app/cfg"           // imports example.com/app/cfg, whose initialization does file I/O (…)
//
// An imported package is not reported when a host of the run links it
// (its init ran in the host), nor a registration with a package no host
// links (a registry private to the plugin).
//
// sharedstate (warning): an exported package-level variable of a plugin
// is memory the host reaches through Lookup; writing it outside init and
// Init without a mutex (a Lock earlier in the function) or sync.Once is
// a data race:
//
//	var Counter int64
//	func Tick() { Counter++ }              // exported variable Counter is written here (++) … (fix: atomic.AddInt64(&Counter, 1))
//
// hostload (error for assertions, warning for the version check): a host
// that opens plugins itself must assert looked-up symbols with comma-ok
// and look up APIVersion before anything else; the fix is <api>/loader.
//
//	newFn := sym.(func() pluginapi.Plugin) // type assertion of a looked-up plugin symbol … without comma-ok
//	p, _ := plugin.Open(path)              // plugins are opened here but APIVersion is never looked up
//
// apicopy (module level; see apicopy.go for the categories): the host
// and its plugins must get the API package, and every module they share,
// from one place: a plugin folder with its own go.mod, a replace pointing
// one side elsewhere, a vendored (or edited vendored) copy, a go.work
// using two modules that provide one import path, or a shared module at
// two versions are reported at the go.mod / go.work / modules.txt line
// that causes them:
//
//	plugins/ext/go.mod:7:1: error apicopy: plugins/ext (1 plugin) gets github.com/pluginctl/pluginctl/pluginapi
//	    from replacement ../../fork, the main build (2 plugins and 1 host) from its own module …
//
// # go vet
//
// The analyzers (all checks but apicopy, which needs the whole module)
// are also a go vet tool, cmd/pluginctl-vet:
//
//	go vet -vettool=$(which pluginctl-vet) [-api=PATH] ./...
//
// There, initio cannot know what the hosts link, so it also reports
// imported packages a host may have initialized already.
package vet
