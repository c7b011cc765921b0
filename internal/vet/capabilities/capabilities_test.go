package capabilities_test

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/capabilities"
)

// testData is the analysistest root the vet analyzers share: the stub
// API package once, and each analyzer's test packages under
// example.com/<analyzer>.
var testData = filepath.Join(analysistest.TestData(), "..", "..", "testdata")

func TestCapabilities(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, testData, capabilities.Analyzer,
		"example.com/capabilities/good", "example.com/capabilities/none", "example.com/capabilities/badcaps", "example.com/capabilities/varcaps",
		"example.com/capabilities/noerr", "example.com/capabilities/nohost", "example.com/capabilities/ptrhost", "example.com/capabilities/varinit",
		"example.com/capabilities/constcaps", "example.com/capabilities/lib")
}
