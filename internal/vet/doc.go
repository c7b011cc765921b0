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
// # The contract
//
// Plugins are checked against their host's contract (internal/contract):
// Options.Contract, or else the one Run resolves: pluginctl.toml at the
// module root (the go.work directory for a workspace root) declared
// over what contract.Infer reads in the hosts' code (the [contract]
// hosts, else the hosts among the packages of the run: package main
// linking plugin), or the pluginapi convention when nothing is known.
// Inference loads the hosts a second time (go list, and type-checking of
// the hosts only, dependencies from export data), started as soon as the
// packages are listed so that it overlaps the run's own loading (about
// 85ms on its own on the 50-plugin benchmark module, mostly hidden).
// Result.Contract is the
// contract used; a bad pluginctl.toml or hosts that cannot be inferred
// from are Result.Errors.
//
// When the contract is the convention, or a part of it (every entry is
// the convention's symbol with the convention's type, for all plugins or
// some), factory, apiversion and capabilities check the plugins as they
// always did and the contract check does nothing. For any other
// contract the contract check checks every plugin; factory, apiversion
// and capabilities still run for the convention symbols the contract
// has (a host using pluginapi/loader that looks up more), on the plugins
// importing the API package, and the contract check leaves them those
// symbols.
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
// contract (error; categories missing, type, kind): for a contract other
// than the convention, a plugin must export every required symbol that
// applies to it, and each contract symbol it exports must be of the
// contract's kind (a variable, which Lookup returns as a pointer, or a
// function) and one of its types (Entry.MatchesType). A plugin is a
// package main, not a host, that declares a required symbol of the
// contract by name (whatever its kind or type) or lies under a [plugins]
// dir of pluginctl.toml; its name for Entry.Applies is its directory
// relative to the module root. Messages end with where the host expects
// the symbol (the Lookup, or the pluginctl.toml line). With a host that
// looks up Seven as *int and Double as func(int) int:
//
//	package main                           // plugin has no Seven: the host looks up "Seven" as *int and refuses the plugin without it (cmd/host/main.go:16) (fix: declare var Seven int)
//	var seven = 7                          // plugin has no Seven, only seven: … (fix: rename seven to Seven)
//	var Seven int64 = 7                    // Seven is a variable of type int64: Lookup gives the host a *int64, want *int: the host's assertion fails
//	func Double(x int64) int64             // Double has type func(int64) int64, want func(int) int: the host's assertion fails
//	var Double = 2                         // Double is a variable of type int: Lookup gives the host a *int, but it wants a function, func(int) int
//
// An interface type means "implements it" (Lookup's pointer to a variable
// has the value- and pointer-receiver methods; a pointer to a pointer or to
// an interface has none); a declared named interface whose method set the
// contract does not record is judged only when the plugin links its
// package. With kinds (Contract.Kinds), a plugin must satisfy one kind: the
// problems of the nearest are reported, naming the kinds, and a package
// main without func main is checked as a plugin:
//
//	var HandlerRegisterer = &hello         // HandlerRegisterer: Lookup gives the host a **main.registerer, which does not implement fw.Registerer: it has no method RegisterHandlers(…)
//	package main                           // plugin is none of the kinds of plugin the host loads: client (ClientRegisterer), server (HandlerRegisterer); nearest: …
//	var Double = func(x int) int {…}       // (same; fix: func Double(x int) int {…})
//	func Seven() int                       // Seven is a function of type func() int, but the host wants a variable: Lookup must give it *int
//	const Seven = 7                        // Seven is a constant: constants are not plugin symbols, … (fix: var instead of const)
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
// imported packages a host may have initialized already; and the
// contract is only what pluginctl.toml at the module root declares (no
// inference: go vet hands the tool one package at a time), which decides
// between the convention checks and the contract check as above.
package vet
