package diag

// Doc documents one problem code: what it means and what fixes it. Codes
// is the one table of them: `pluginctl help codes` prints it, the manual
// (cmd/pluginctl/doc.go) is generated from it, and a test checks that
// every code the program can report has an entry.
type Doc struct {
	Code    Code
	FoundBy string // the checks that report it: static, dynamic, vet, build
	Meaning string
	Fix     string
}

// Codes are the documented problem codes, in the order the manual lists
// them: verify's, then what stops a command before it verifies (check
// build), then vet's (named after their analyzers).
var Codes = []Doc{
	{"not-a-plugin", "static, dynamic",
		"not a Go plugin: not ELF, empty, truncated, a directory, an executable, a C library, another GOOS/GOARCH, or no Go build info (the message says which)",
		"give the .so that go build -buildmode=plugin wrote"},
	{"go-version-mismatch", "static",
		"built by another Go toolchain than the host (a go1.27 plugin kills a go1.26 host: fatal error: runtime: no plugin module data)",
		"build host and plugins with one toolchain: pluginctl build (for a released host: pluginctl build --for HOST)"},
	{"build-setting-mismatch", "static",
		"-race, -trimpath, -gcflags, tags, CGO_ENABLED... differ in a way that changes package fingerprints (error); a difference that still loads is a warning. -gcflags and -asmflags count only where they apply to a package both link (without a pattern: the main package only)",
		"build host and plugins with one set of flags: pluginctl build (for a released host: pluginctl build --for HOST)"},
	{"package-mismatch", "static, dynamic",
		"the type identity rule: another version of a module, or another copy of a package's source, than the host links (plugin.Open: plugin was built with a different version of package X). The first differing package in dependency order is the cause, later ones at the same version are listed as its consequences; named before any flag difference",
		"build against the host's module versions: pluginctl build (for a released host: pluginctl build --for HOST)"},
	{"missing-new", "static, dynamic",
		"no exported New (the report lists what the plugin exports instead)",
		"export func New() with the type the host asserts"},
	{"bad-new-signature", "static (DWARF), dynamic",
		"New is not of the type the host asserts (both types shown)",
		"give New the type the host asserts (pluginctl contract shows it)"},
	{"api-version-mismatch", "static, dynamic",
		"APIVersion missing, not a string variable, or not a value the host accepts (both values and the host's line)",
		"var APIVersion = <api>.APIVersion, rebuilt against the host's API package"},
	{"bad-symbol-value", "static, dynamic",
		"a string symbol whose value is not one the host compares it with and accepts (both values, the host's line)",
		"set the symbol to the value the host accepts"},
	{"bad-metadata", "dynamic",
		"an exported PluginctlMetadata that is not pluginctl build metadata (declared by hand): pluginapi/loader skips the plugin",
		"remove the variable; pluginctl build stamps it"},
	{"missing-capability", "dynamic",
		"Capabilities() lacks a capability given with --require-capability",
		"add the capability, or do not require it"},
	{"init-panic", "dynamic",
		"the plugin's init (or New/Init) panicked: the value and the top of the stack",
		"fix the panic; keep init free of work that can fail (expose Init instead)"},
	{"init-exit", "dynamic",
		"the process exited during the load (exit code), including a plugin that forges a success report",
		"do not call os.Exit or log.Fatal in init"},
	{"timeout", "dynamic",
		"the load did not finish within --timeout",
		"do not block in init (network, locks, channels); raise --timeout if the work is legitimate"},
	{"crash", "dynamic",
		"killed by a signal (SIGSEGV, SIGABRT from C) or a Go runtime fatal error",
		"run the host with the plugin under a debugger; the report has the output"},
	{"sandbox", "dynamic",
		"the probe's sandbox could not be set up for this artifact although it worked for others of the run (error: not checked); as a warning: checked without namespaces",
		"run verify again; enable unprivileged user namespaces (pluginctl help security); --sandbox require refuses to run without them"},
	{"missing-symbol", "static, dynamic",
		"a required symbol of the host's contract (other than New) is not exported (the symbol is named)",
		"export the symbol the host looks up (pluginctl contract lists them)"},
	{"bad-symbol-type", "static (DWARF), dynamic",
		"a contract symbol has another type or kind than the host asserts (found and expected types)",
		"give the symbol the type the host asserts (pluginctl contract shows it)"},
	{"duplicate-plugin", "static, dynamic",
		"the same plugin path as an earlier artifact: plugin.Open fails with plugin already loaded",
		"remove the older copy from the folder"},
	{"plugin-conflict", "static, dynamic",
		"links another version of a package than an earlier plugin, where the host does not link it",
		"build every plugin of the folder in one pluginctl build"},
	{"hash-mismatch", "static",
		"the file's sha256 differs from the manifest (tampered or stale copy), or the host's does (changed or rebuilt after the build)",
		"deploy the files of one pluginctl build together, or build again"},
	{"unreadable", "static",
		"the file exists but cannot be read (permissions, a symbolic link loop)",
		"fix the file's permissions; a rebuild does not help"},
	{"host-cannot-load-plugins", "static",
		"the host loads no plugin at all, on any platform: built with CGO_ENABLED=0 (plugin: not implemented) or linked statically (musl: Dynamic loading not supported); every artifact gets it, up front, and build --for refuses the host",
		"rebuild the host with CGO_ENABLED=1, dynamically linked (pluginctl build does)"},
	{"build-set-mismatch", "static",
		"warning: not built in the same pluginctl build run as the host",
		"build host and plugins in one pluginctl build"},
	{"contract-unknown", "static",
		"warning: a released host whose contract nothing tells (no --host-src, no source of its main module at a version, no module it links that loads plugins, nothing declared): only load checks ran",
		"give the host's source (--host-src DIR) or declare the symbols (pluginctl.toml, --expect NAME=TYPE)"},
	{"check-disagreement", "static, dynamic",
		"the static and the dynamic check disagree about a file both could read: a pluginctl bug",
		"report it with the output of pluginctl verify --format json"},
	{"libc-mismatch", "static (deploy target)",
		"the plugin needs another C library than the host (musl vs glibc), or a newer glibc symbol version than any the host requires",
		"build the plugins where the host was built (same C library), or for the host: pluginctl build --for HOST"},
	{"extra-library", "static (deploy target)",
		"warning: the plugin needs shared libraries (DT_NEEDED) the host does not; the deploy machine must have them",
		"install the libraries where the host runs, or link them statically"},

	{"compile-error", "build",
		"go build failed: the compiler's message at its file:line (check, build --format json and their reports, before anything is verified)",
		"fix the code at the position given"},
	{"module-error", "build",
		"a go.mod, go.sum or go.work problem (a missing go.sum entry, say), at the file's line when known",
		"the fix the message gives (go mod download MODULE for a missing go.sum entry); pluginctl never rewrites go.mod or go.sum"},
	{"package-error", "build",
		"a package that cannot be loaded: a syntax error, a missing import",
		"fix the package, or leave it out of the patterns"},
	{"vet-stopped", "build",
		"pluginctl vet found errors that predict a load failure, so the build was stopped; vet's findings are in the report",
		"fix the findings, or build anyway with --no-vet"},
	{"environment", "build",
		"the invocation or the environment: no module, no Go or C compiler, no host to verify against, no such file (exit 2)",
		"the fix the message gives"},
	{"interrupted", "build",
		"a signal stopped the command before anything was verified",
		"run it again"},

	{"factory", "vet",
		"New missing, not a function, or not func() <api>.Plugin; says what exists instead",
		"rename or retype the factory as the host asserts it"},
	{"apiversion", "vet",
		"APIVersion missing, a constant, not a string variable, or a hand-copied literal",
		"var APIVersion = <api>.APIVersion"},
	{"capabilities", "vet",
		"Capabilities is not func() []string, or Init not func(<api>.Host) error",
		"give them the convention's types"},
	{"contract", "vet",
		"a required symbol of the host's contract missing (with near misses), of another type, or of another kind",
		"export the symbol with the type pluginctl contract shows"},
	{"initio", "vet",
		"init functions and package-level initializers of plugins that exit, panic or block (error), or do I/O, register or call back into the host (warning), with the call path",
		"move the work into a function the host calls after plugin.Open"},
	{"sharedstate", "vet",
		"warning: exported package-level variables written without atomics or a mutex (Lookup hands the host a pointer to the same memory)",
		"use sync/atomic or a mutex"},
	{"hostload", "vet",
		"warning: a host asserting a looked-up symbol without comma-ok, or not checking APIVersion before using a plugin",
		"assert with comma-ok (v, ok := sym.(T)), or use pluginapi/loader"},
	{"apicopy", "vet",
		"the API package, or any shared module, reaching the host and a plugin from two places (own go.mod, replace, vendor, go.work, two versions)",
		"keep one copy: one module, or one replace for every build"},
}

// DocOf returns the documentation of code, and false when it has none.
func DocOf(code Code) (Doc, bool) {
	for _, d := range Codes {
		if d.Code == code {
			return d, true
		}
	}
	return Doc{}, false
}
