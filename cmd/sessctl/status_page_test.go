package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/statuspage"
)

// TestStatusAPIIsShowStatus: each partition of /api/status is what
// `sessctl show --json --status PARTITION` prints, valid against show.json,
// and the settings "as written" of a partition built from profiles and
// for_each point at the lines of examples/fleet.hcl that hold them.
func TestStatusAPIIsShowStatus(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	conf := filepath.Join(tmp, "conf")
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "fleet.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(conf, "fleet.hcl"), string(b))
	copyTree(t, filepath.Join("..", "..", "examples", "files"), filepath.Join(conf, "files"))
	statePath := filepath.Join(tmp, "state", "state.db")
	t.Setenv("SESSCTL_STATE", statePath)
	t.Setenv("HOME", tmp)
	t.Setenv("XDG_STATE_HOME", filepath.Join(tmp, "xdg"))
	sessctl := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(exe, args...)
		cmd.Args[0] = "sessctl" // testscript.Main runs main for this name
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("sessctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	sessctl("apply", "--auto-approve", conf)

	src := &pageSource{path: conf}
	v, err := src.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var api struct {
		FormatVersion string            `json:"format_version"`
		Partitions    []json.RawMessage `json:"partitions"`
	}
	if err := json.Unmarshal(raw, &api); err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Partitions []struct {
			Partition string `json:"partition"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(sessctl("show", "--json", "-C", conf), &summary); err != nil {
		t.Fatal(err)
	}
	if api.FormatVersion != jsonFormatVersion || len(api.Partitions) != len(summary.Partitions) || len(api.Partitions) < 3 {
		t.Fatalf("/api/status: version %q, %d partitions; show lists %d", api.FormatVersion, len(api.Partitions), len(summary.Partitions))
	}
	schemas := loadJSONSchemas(t)
	for i, p := range summary.Partitions {
		want := sessctl("show", "--json", "--status", "-C", conf, p.Partition)
		var got, exp any
		_ = json.Unmarshal(api.Partitions[i], &got)
		_ = json.Unmarshal(want, &exp)
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("partition %s: /api/status has\n%s\nshow --json --status prints\n%s", p.Partition, api.Partitions[i], want)
		}
		if _, err := checkJSONOutput(schemas["show.json"], api.Partitions[i]); err != nil {
			t.Errorf("partition %s: %v", p.Partition, err)
		}
	}

	snap, err := src.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	find := func(name string) *statuspage.Partition {
		for i := range snap.Partitions {
			if snap.Partitions[i].Name == name {
				return &snap.Partitions[i]
			}
		}
		t.Fatalf("no partition %s on the page", name)
		return nil
	}
	where := func(p *statuspage.Partition, setting, from string) string {
		for _, s := range p.Settings {
			if s.Name == setting && s.From == from {
				return filepath.Base(s.Where)
			}
		}
		t.Errorf("%s: no setting %s from %q in %+v", p.Name, setting, from, p.Settings)
		return ""
	}
	// Lines of examples/fleet.hcl, found in its text: partition
	// "persist:chat" sets user_agent and merges profile "corporate",
	// whose proxy block the page attributes to the profile.
	fleetSrc, err := os.ReadFile(filepath.Join("..", "..", "examples", "fleet.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(fleetSrc), "\n")
	lineOf := func(after, text string) string {
		from := 0
		if after != "" {
			for from < len(lines) && !strings.HasPrefix(lines[from], after) {
				from++
			}
		}
		for i := from; i < len(lines); i++ {
			if strings.HasPrefix(strings.TrimSpace(lines[i]), text) {
				return fmt.Sprintf("fleet.hcl:%d", i+1)
			}
		}
		t.Fatalf("examples/fleet.hcl has no %q after %q", text, after)
		return ""
	}
	chat := find("persist:chat")
	if got, want := where(chat, "user_agent", ""), lineOf(`partition "persist:chat"`, "user_agent"); got != want {
		t.Errorf("user_agent at %s, want %s", got, want)
	}
	if got, want := where(chat, "proxy", "corporate"), lineOf(`profile "corporate"`, "proxy {"); got != want {
		t.Errorf("the profile's proxy at %s, want %s", got, want)
	}
	// A for_each partition shows its block's for_each, unevaluated.
	wantForEach := lineOf("", "for_each = var.tenants")
	for _, p := range snap.Partitions {
		if strings.HasPrefix(p.Name, "tenant:") {
			if got := where(&p, "for_each", ""); got != wantForEach {
				t.Errorf("%s: for_each at %s, want %s", p.Name, got, wantForEach)
			}
		}
	}
	if len(snap.Errors) != 0 || snap.LastApply == nil || snap.LastApply.Serial != 1 || snap.LastApply.Add != len(summary.Partitions) {
		t.Errorf("summary: errors %v, last apply %+v", snap.Errors, snap.LastApply)
	}
}

// TestListenToken: a non-loopback --listen starts with the token from
// $SESSCTL_LISTEN_TOKEN, and every request must then carry it.
func TestListenToken(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &pageSource{path: t.TempDir()}
	t.Setenv("SESSCTL_STATE", filepath.Join(t.TempDir(), "state.db"))
	reg := newPageRegistry(src.outputDir)
	var stderr strings.Builder
	if _, err := startPage(ctx, &stderr, &listenFlags{addr: "0.0.0.0:0"}, src, reg); err == nil || !strings.Contains(err.Error(), "--listen-token") {
		t.Fatalf("0.0.0.0 without a token: %v", err)
	}
	t.Setenv("SESSCTL_LISTEN_TOKEN", "short")
	if _, err := startPage(ctx, &stderr, &listenFlags{addr: "0.0.0.0:0"}, src, reg); err == nil {
		t.Fatal("a 5-character token was accepted")
	}
	const tok = "0123456789abcdef0123"
	t.Setenv("SESSCTL_LISTEN_TOKEN", tok)
	if _, err := startPage(ctx, &stderr, &listenFlags{addr: "0.0.0.0:0"}, src, reg); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`http://.*:(\d+)/`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no address in %q", stderr.String())
	}
	url := "http://127.0.0.1:" + m[1] + "/api/status"
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer " + tok + "x", 401}, {"Bearer " + tok, 200}} {
		req, _ := http.NewRequest("GET", url, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("Authorization %q: %d, want %d", c.auth, resp.StatusCode, c.want)
		}
	}
}
