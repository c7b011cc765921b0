package factory_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/factory"
)

func TestFactory(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), factory.Analyzer,
		"example.com/good", "example.com/renamed", "example.com/badnew", "example.com/params",
		"example.com/concrete", "example.com/nonew", "example.com/twonew", "example.com/varnew",
		"example.com/constnew", "example.com/generic", "example.com/noapi", "example.com/host", "example.com/lib")
}

func TestFactoryAPIFlag(t *testing.T) {
	a := factory.NewAnalyzer(nil)
	if err := a.Flags.Set("api", "example.com/myapi"); err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, analysistest.TestData(), a, "example.com/custom", "example.com/customwrong")
}
