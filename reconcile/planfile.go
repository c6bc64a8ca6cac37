package reconcile

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/sessctl/sessctl/internal/fsx"
)

// planFileMagic marks a saved plan so `apply FILE` can tell a plan from a
// configuration file.
const planFileMagic = "sessctl-plan"

type planFile struct {
	Magic string `json:"kind"`
	*Plan
}

// WritePlanFile saves plan to path (0600: it may hold file contents such
// as custom dictionaries).
func WritePlanFile(path string, plan *Plan) error {
	b, err := json.MarshalIndent(planFile{Magic: planFileMagic, Plan: plan}, "", " ")
	if err != nil {
		return err
	}
	return fsx.WriteFileAtomic(path, append(b, '\n'), 0o600)
}

// IsPlanFile reports whether path is a saved plan: its first bytes carry
// the kind marker WritePlanFile puts first.
func IsPlanFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 64)
	n, _ := f.Read(buf)
	return strings.Contains(string(buf[:n]), `"kind": "`+planFileMagic+`"`)
}

// ReadPlanFile loads a saved plan.
func ReadPlanFile(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pf planFile
	pf.Plan = &Plan{}
	if err := json.Unmarshal(b, &pf); err != nil {
		return nil, fmt.Errorf("%s is not a saved sessctl plan: %v", path, err)
	}
	if pf.Magic != planFileMagic {
		return nil, fmt.Errorf("%s is not a saved sessctl plan", path)
	}
	if pf.Plan.FormatVersion != PlanFormatVersion {
		return nil, fmt.Errorf("%s: plan format_version %d is not supported (this sessctl reads %d)", path, pf.Plan.FormatVersion, PlanFormatVersion)
	}
	return pf.Plan, nil
}
