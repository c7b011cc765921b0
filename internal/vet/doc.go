// Package vet runs pluginctl's source-level checks over the packages of
// a module and reports their findings as diag.Problem values (Check
// "vet", Code the check's name, Pos "file:line:col"), so that `pluginctl
// vet` and `pluginctl verify` reports show side by side.
//
// # Entry point
//
//	res, err := vet.Run(ctx, vet.Options{Dir: dir, Patterns: []string{"./..."}})
//	// err: the packages could not be listed at all (exit 2)
//	output.Vet(os.Stdout, "text", &res.VetReport) // or "json", "github" (package output renders)
//	if res.Failed() { ... } // an error finding, or a package that does not compile (exit 1)
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
// contract (error; categories missing, type, kind) checks every plugin
// against the contract in force (Options.Contract, else the project's:
// project.InForce, inferred from the hosts' code while the run
// loads its packages, with pluginctl.toml declared over it; the pluginapi
// convention when nothing is known; Result.Contract). A plugin is what
// the project classifies as one (project.Project.Classify: New, a
// required symbol of the contract, no func main, a [plugins] dir). It
// must export every required symbol that applies to it, each of the
// contract's kind (a variable, which Lookup returns as a pointer, or a
// function) and one of its types (an interface type: one it implements);
// with kinds (Contract.Kinds), it must satisfy one. Messages end with
// where the host expects the symbol. With a host that looks up Seven as
// *int and Double as func(int) int:
//
//	package main                           // plugin has no Seven: the host looks up "Seven" as *int and refuses the plugin without it (cmd/host/main.go:16) (fix: declare var Seven int)
//	var seven = 7                          // plugin has no Seven, only seven: … (fix: rename seven to Seven)
//	var Seven int64 = 7                    // Seven is a variable of type int64: Lookup gives the host a *int64, want *int: the host's assertion fails
//	var Double = 2                         // Double is a variable of type int: Lookup gives the host a *int, but it wants a function, func(int) int
//	const Seven = 7                        // Seven is a constant: constants are not plugin symbols, … (fix: var instead of const)
//
// The convention (contract.Default) is data like any contract. When it
// is in force, only plugins using the API package are checked; on those,
// the convention's entries of any contract get checks the types cannot
// express, under the codes factory (New), apiversion (APIVersion) and
// capabilities (Capabilities, Init):
//
//	func NewPlugin() pluginapi.Plugin      // factory: plugin has no New; found NewPlugin (fix: rename it)
//	func New() (pluginapi.Plugin, error)   // factory: New has type func() (pluginapi.Plugin, error), want func() pluginapi.Plugin
//	var APIVersion = "v0"                  // apiversion: hand-copied literal "v0", but pluginapi.APIVersion is "v1" (a warning while it still equals it)
//	func Init(h pluginapi.Host)            // capabilities: Init has type func(h pluginapi.Host), want func(host pluginapi.Host) error
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
// imported packages a host may have initialized already; the contract is
// the project's of the package's directory, resolved as Run does.
package vet
