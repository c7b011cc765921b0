package sharedstate_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/pluginctl/pluginctl/internal/vet/sharedstate"
)

func TestSharedState(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), sharedstate.Analyzer,
		"example.com/good", "example.com/racy", "example.com/lib")
}
