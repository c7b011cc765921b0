/*
Pluginctl builds Go plugins (-buildmode=plugin) and their hosts in one step,
with one toolchain and one set of flags, and proves before deployment that
every plugin loads in its host.

# Usage

	pluginctl build [flags] [packages]
	pluginctl verify [flags] ARTIFACT...
	pluginctl check [flags] [packages]
	pluginctl vet [flags] [packages]
	pluginctl contract [--format json] [host packages]
	pluginctl inspect [--format json] FILE
	pluginctl diff [--format json] A B
	pluginctl version
	pluginctl completion bash|zsh|fish

Flags go before or after the arguments, as with the go command; "--" ends
them. -v prints each go command run, -q only the problems.

Every command builds one model of the project and asks it everything: the
root and main modules (go env GOMOD GOWORK, with the chosen go), every
pluginctl.toml, the project's own API package (declared with api = "..." or
--api, else the package whose types the hosts assert), the contract in force
(inferred from the hosts' code, declarations merged over it, cached), and one
rule for what is a plugin (a package main without func main, or declaring New,
a symbol the contract requires or a symbol of one of its kinds) and what is a
host (a package main with func main that links "plugin"); see README.md.

build finds the hosts and plugins among the packages (default ./...) by that
rule, and builds them with -trimpath, -mod=readonly and
cgo on, in parallel, into --out (default bin): hosts to bin/NAME, plugins to
bin/plugins/NAME.so, plus the manifest bin/pluginctl.json. Every artifact
embeds build metadata (pluginctl and Go versions, GOOS/GOARCH, flags, module,
API version, build-set ID) that pluginctl inspect reads from the file and a
host reads with plugin.Lookup("PluginctlMetadata"). build --for HOST builds
only the plugins, for a host at hand only as a binary: with its toolchain,
build settings and module versions (through a temporary module file; go.mod and
go.sum are never written), then checks them against its fingerprints.
--goos/--goarch (or GOOS/GOARCH) build for another platform, with its C cross
compiler (CC, else Debian's, such as aarch64-linux-gnu-gcc); verify then runs
the dynamic check under qemu-ARCH when it is installed.

verify checks plugin files (or directories of *.so) against their host,
statically (reading the files: package fingerprints, Go version, build
settings, module versions, symbols, checksums) and dynamically (opening each
in an isolated, time-limited child with the host's package set), and reports
every problem with a stable code, its cause and its fix, as text, JSON, JUnit
XML or GitHub annotations. Where the host's source is not at hand, the dynamic
check's probe is built from the host's build info. check is build followed by
verify of what it built, against a host: one it built, --host, --for HOST
(build for that released binary, then verify), or host = "PATH" in
pluginctl.toml; without one it fails (exit 2). Every failure of check, build,
verify and vet is a report in the chosen format (compile, vet, module and
environment errors as problems), and --output is always written.

vet runs pluginctl's source checks (factory, apiversion, capabilities, initio,
sharedstate, apicopy, hostload, contract) on every plugin of the project,
against the project's API package and its hosts' contract; build runs it first
unless --no-vet, and only its errors (predicted load failures) stop the build.
build records the contract in pluginctl.json, so verify needs neither the
source nor the go command to know it. contract prints the symbols the hosts look up in their plugins,
inferred from their code and declared in pluginctl.toml or with --expect.

inspect prints what an artifact is, its metadata, exported symbols, Go build
info and package fingerprints, without loading it; diff compares two builds.

Run pluginctl COMMAND --help for each command's flags and examples.

# Environment

	PLUGINCTL_GO     the go command to run (default: go from PATH); also --go
	PLUGINCTL_CACHE  the root of pluginctl's caches (default: the user cache
	                 directory's pluginctl folder, e.g. ~/.cache/pluginctl):
	                 artifacts (the last artifact of each package, so that a
	                 build into an empty --out need not relink), probe, sums
	                 (checksums), contract (inferred contracts), vet-passed;
	                 "off" keeps nothing but the probe
	NO_COLOR         never colour the output

# Exit codes

	0    success: everything was built (or verified)
	1    failure: a package did not compile, a go.mod/go.sum/go.work problem
	     (for example a missing go.sum entry), or an artifact failed
	     verification
	2    usage or environment error: bad flags or arguments, not in a module,
	     no Go toolchain or C compiler, no such file, two artifacts with one
	     name, nothing to build
	130  interrupted (SIGINT/SIGTERM); the previous artifacts are untouched;
	     verify and check still write their report (to --output when given),
	     with what was not checked marked so
*/
package main
