package verifier

import (
	"github.com/pluginctl/pluginctl/internal/diag"
	"github.com/pluginctl/pluginctl/internal/released"
)

// ContractUnknown warns that the host's contract is unknown (a released
// host whose contract nothing tells, see project.InForce): only the load
// checks ran.
const ContractUnknown diag.Code = "contract-unknown"

// unknownProblem is the warning every artifact carries when the host's
// contract is unknown.
func unknownProblem() diag.Problem {
	return diag.Problem{
		Code: ContractUnknown, Severity: diag.Warning, Check: diag.Static,
		Message: released.UnknownWarning,
		Fix:     "pluginctl verify --host-src DIR (the host's source checkout), or declare the symbols in pluginctl.toml or with --expect NAME=TYPE",
	}
}
