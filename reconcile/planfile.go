package reconcile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sessctl/sessctl/internal/buildinfo"
	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/providers"
)

// A saved plan (`sessctl plan --out FILE`) is one JSON object, written on
// one line so that every profile field keeps the exact bytes apply would
// write (indenting or HTML-escaping them would change the profile's
// digest):
//
//	{"kind":"sessctl-plan","plan_format":"2","sessctl":"<version>",
//	 "checksum":"sha256:<hex of the plan member's bytes>","plan":{…}}
//
// ReadPlanFile refuses a file whose kind or plan_format it does not know,
// one written by another sessctl build (its normalisation may differ), one
// whose plan bytes do not match the checksum (edited by hand or damaged),
// and one in which a partition's fields do not match that partition's
// digest. Apply then refuses a plan whose state lineage or serial moved
// on. docs/plan-file.md describes the format.

// planFileMagic marks a saved plan so `apply FILE` can tell a plan from a
// configuration file.
const planFileMagic = "sessctl-plan"

// PlanFileFormat is the version of the saved plan container. 1 was the
// indented, HTML-escaping format of sessctl before plans became
// byte-exact; it is refused.
const PlanFileFormat = "2"

type planFileHeader struct {
	Kind     string          `json:"kind"`
	Format   string          `json:"plan_format"`
	Version  string          `json:"sessctl"`
	Checksum string          `json:"checksum"`
	Plan     json.RawMessage `json:"plan"`
	// Secrets are the sensitive values of the plan's changes by token
	// (Change.Secrets), kept out of the plan member that `plan --json`
	// shows; the file is 0600.
	Secrets map[string]string `json:"secrets,omitempty"`
}

// BuildVersion identifies this sessctl build: module version, VCS revision
// (with "+dirty" for a modified tree) and the engine version. A saved plan
// is applied only by the build that made it.
func BuildVersion() string {
	return buildinfo.Read().String() + " " + EngineVersion
}

// WritePlanFile saves plan to path (0600: it may hold file contents such
// as custom dictionaries).
func WritePlanFile(path string, plan *Plan) error {
	body, err := marshal(plan)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	b, err := marshal(planFileHeader{Kind: planFileMagic, Format: PlanFileFormat, Version: BuildVersion(),
		Checksum: "sha256:" + hex.EncodeToString(sum[:]), Plan: body, Secrets: planSecrets(plan)})
	if err != nil {
		return err
	}
	return fsx.WriteFileAtomic(path, append(b, '\n'), 0o600)
}

// IsPlanFile reports whether path is a saved plan: its first bytes carry
// the kind marker WritePlanFile puts first (this format's or the indented
// one of format 1, so that an old plan gets a clear refusal rather than a
// parse error as a configuration).
func IsPlanFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 64)
	n, _ := f.Read(buf)
	head := string(buf[:n])
	return strings.Contains(head, `"kind":"`+planFileMagic+`"`) || strings.Contains(head, `"kind": "`+planFileMagic+`"`)
}

// ErrPlanFile is wrapped by every refusal of a saved plan's contents.
var ErrPlanFile = errors.New("saved plan refused")

// ReadPlanFile loads a saved plan and checks that it is whole, unedited,
// of this format and made by this build.
func ReadPlanFile(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	refuse := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrPlanFile, path, fmt.Sprintf(format, a...))
	}
	var h planFileHeader
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, refuse("not a saved sessctl plan (%v)", err)
	}
	if h.Kind != planFileMagic {
		return nil, refuse("not a saved sessctl plan (kind %q)", h.Kind)
	}
	if h.Format != PlanFileFormat {
		if h.Format == "" {
			h.Format = "1"
		}
		return nil, refuse("plan_format %s is not supported (this sessctl reads %s); run 'sessctl plan --out' again", h.Format, PlanFileFormat)
	}
	if h.Version != BuildVersion() {
		return nil, refuse("it was made by sessctl %q; this is sessctl %q; run 'sessctl plan --out' again with this sessctl", h.Version, BuildVersion())
	}
	sum := sha256.Sum256(h.Plan)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != h.Checksum {
		return nil, refuse("its contents do not match its checksum: it was edited or damaged after 'sessctl plan --out' wrote it")
	}
	plan := &Plan{}
	dec := json.NewDecoder(bytes.NewReader(h.Plan))
	dec.DisallowUnknownFields()
	if err := dec.Decode(plan); err != nil {
		return nil, refuse("the plan cannot be read: %v", err)
	}
	if plan.FormatVersion != PlanFormatVersion {
		return nil, refuse("plan format_version %d is not supported (this sessctl reads %d)", plan.FormatVersion, PlanFormatVersion)
	}
	for tok, v := range h.Secrets {
		if string(mustJSON(providers.SecretToken(v))) != tok {
			return nil, refuse("a sensitive value does not match its digest")
		}
	}
	for _, c := range plan.Changes {
		if c.Action == Delete {
			continue
		}
		c.Secrets = h.Secrets
		if c.Fields == nil || contentDigest(c.Fields) != c.Digest {
			return nil, refuse("partition %q: its profile fields do not match its digest", c.Partition)
		}
		// What the plan shows must be what it applies.
		for _, a := range c.Attributes() {
			if a.After != nil && !bytes.Equal(a.After, c.Fields[a.Name]) {
				return nil, refuse("partition %q: attribute %q differs from the profile field it shows", c.Partition, a.Name)
			}
		}
	}
	return plan, nil
}

// planSecrets gathers the sensitive values of plan's changes.
func planSecrets(plan *Plan) map[string]string {
	var out map[string]string
	for _, c := range plan.Changes {
		for tok, v := range c.Secrets {
			if out == nil {
				out = map[string]string{}
			}
			out[tok] = v
		}
	}
	return out
}
