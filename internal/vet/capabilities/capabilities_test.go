package capabilities_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/capabilities"
)

func TestCapabilities(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), capabilities.Analyzer,
		"example.com/good", "example.com/none", "example.com/badcaps", "example.com/varcaps",
		"example.com/noerr", "example.com/nohost", "example.com/ptrhost", "example.com/varinit",
		"example.com/constcaps", "example.com/lib")
}
