package factory_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/factory"
)

// testData is the analysistest root the vet analyzers share: the stub
// API package once, and each analyzer's test packages under
// example.com/<analyzer>.
var testData = filepath.Join(analysistest.TestData(), "..", "..", "testdata")

func TestFactory(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testData, factory.Analyzer,
		"example.com/factory/good", "example.com/factory/renamed", "example.com/factory/badnew", "example.com/factory/params",
		"example.com/factory/concrete", "example.com/factory/nonew", "example.com/factory/twonew", "example.com/factory/varnew",
		"example.com/factory/constnew", "example.com/factory/generic", "example.com/factory/noapi", "example.com/factory/host", "example.com/factory/lib")
}

func TestFactoryAPIFlag(t *testing.T) {
	a := factory.NewAnalyzer(nil)
	if err := a.Flags.Set("api", "example.com/factory/myapi"); err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, testData, a, "example.com/factory/custom", "example.com/factory/customwrong")
}
