package apiversion_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/apiversion"
)

// testData is the analysistest root the vet analyzers share: the stub
// API package once, and each analyzer's test packages under
// example.com/<analyzer>.
var testData = filepath.Join(analysistest.TestData(), "..", "..", "testdata")

func TestAPIVersion(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testData, apiversion.Analyzer,
		"example.com/apiversion/good", "example.com/apiversion/typed", "example.com/apiversion/stale", "example.com/apiversion/literal",
		"example.com/apiversion/otherfile", "example.com/apiversion/constant", "example.com/apiversion/constgroup", "example.com/apiversion/function",
		"example.com/apiversion/namedtype", "example.com/apiversion/pointer", "example.com/apiversion/novalue", "example.com/apiversion/computed",
		"example.com/apiversion/missing", "example.com/apiversion/unexported", "example.com/apiversion/host", "example.com/apiversion/tuple")
}
