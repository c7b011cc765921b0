package apiversion_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/apiversion"
)

func TestAPIVersion(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), apiversion.Analyzer,
		"example.com/good", "example.com/typed", "example.com/stale", "example.com/literal",
		"example.com/otherfile", "example.com/constant", "example.com/constgroup", "example.com/function",
		"example.com/namedtype", "example.com/pointer", "example.com/novalue", "example.com/computed",
		"example.com/missing", "example.com/unexported", "example.com/host", "example.com/tuple")
}
