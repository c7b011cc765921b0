package verifier

import (
	"strings"
	"testing"

	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/verifier/internal/probe"
)

// TestDynamicSandboxFailure: a run whose sandbox could not be set up
// (probe.Result.Sandbox) fails its artifact with the sandbox code and the
// reason, whatever else the result says; a run without namespaces gives
// every artifact the sandbox warning.
func TestDynamicSandboxFailure(t *testing.T) {
	c := &prober{}
	r := &probe.Result{Sandbox: "the probe's namespaces could not be set up (test)", Namespaces: true, ExitCode: -1,
		Events: []probe.Event{{Seq: 1, Stage: probe.StageStarted}, {Seq: 2, Stage: probe.StageOpening, Path: "/a.so"}}}
	p := c.failure("/a.so", r, 0)
	if p.Code != SandboxFailure || !strings.Contains(p.Message, "could not be set up (test)") {
		t.Fatalf("failure = %+v", p)
	}
	c.ran(r)
	results := []DynamicResult{{Path: "/a.so"}}
	c.warnUnboxed(results)
	if len(results[0].Problems) != 0 {
		t.Fatalf("a failed run in namespaces counted as unboxed: %+v", results[0].Problems)
	}
	c.ran(&probe.Result{Isolation: "no namespaces (test)"})
	c.warnUnboxed(results)
	if ps := results[0].Problems; len(ps) != 1 || ps[0].Code != SandboxFailure || ps[0].Severity != diag.Warning {
		t.Fatalf("unboxed run: problems %+v", ps)
	}
}
