package telemetry

import (
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// git runs the real git in dir; its answer (rev-parse) is what
// GitRevision must find by reading files.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com",
		"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestGitRevision(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is needed (CI=true)")
		}
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	git(t, repo, "init", "-q")
	cfg := filepath.Join(repo, "fleet", "hosts")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := GitRevision(cfg); got != "" {
		t.Errorf("no commit yet: %q, want empty", got)
	}
	mustWriteFile(t, filepath.Join(cfg, "main.hcl"), "partition \"persist:a\" {}\n")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "one")
	mustWriteFile(t, filepath.Join(cfg, "main.hcl"), "partition \"persist:b\" {}\n")
	git(t, repo, "commit", "-q", "-am", "two")
	head := git(t, repo, "rev-parse", "HEAD")

	// A loose ref, from the directory and from a file in it.
	for _, p := range []string{cfg, filepath.Join(cfg, "main.hcl")} {
		if got := GitRevision(p); got != head {
			t.Errorf("GitRevision(%s) = %q, want %s", p, got, head)
		}
	}
	// Packed refs.
	git(t, repo, "pack-refs", "--all", "--prune")
	if _, err := os.Stat(filepath.Join(repo, ".git", "refs", "heads", "main")); err == nil {
		t.Fatal("pack-refs left the loose ref")
	}
	if got := GitRevision(cfg); got != head {
		t.Errorf("packed: %q, want %s", got, head)
	}
	// A linked worktree (.git is a file; HEAD in its own git directory,
	// the branch in the common one) on a new branch at the first commit.
	wt := filepath.Join(t.TempDir(), "wt")
	git(t, repo, "worktree", "add", "-q", "-b", "other", wt, "HEAD~1")
	first := git(t, wt, "rev-parse", "HEAD")
	if first == head {
		t.Fatal("worktree at the same commit")
	}
	if got := GitRevision(filepath.Join(wt, "fleet", "hosts")); got != first {
		t.Errorf("worktree: %q, want %s", got, first)
	}
	// A detached HEAD.
	git(t, repo, "checkout", "-q", "--detach", "HEAD~1")
	if got := GitRevision(cfg); got != first {
		t.Errorf("detached: %q, want %s", got, first)
	}
	// Hostile or broken checkouts give "" and never read outside.
	outside := t.TempDir()
	mustWriteFile(t, filepath.Join(outside, "secret"), head+"\n")
	for name, headContent := range map[string]string{
		"ref escaping refs": "ref: refs/../../../../../../../../" + outside + "/secret\n",
		"not a ref":         "ref: HEAD\n",
		"not a commit":      "xyz\n",
		"short hash":        head[:12] + "\n",
		"huge":              strings.Repeat("a", 1<<20),
	} {
		mustWriteFile(t, filepath.Join(repo, ".git", "HEAD"), headContent)
		if got := GitRevision(cfg); got != "" {
			t.Errorf("%s: %q, want empty", name, got)
		}
	}
	// Outside any checkout.
	if got := GitRevision(outside); got != "" {
		t.Errorf("outside a checkout: %q", got)
	}
}

func mustWriteFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRefAndCommitChecks: the hand-written checks accept exactly what
// the regular expressions they replace accepted.
func TestRefAndCommitChecks(t *testing.T) {
	commitRE := regexp.MustCompile(`^(?:[0-9a-f]{40}|[0-9a-f]{64})$`)
	refRE := regexp.MustCompile(`^refs/[A-Za-z0-9._/-]{1,240}$`)
	r := rand.New(rand.NewSource(3))
	alphabet := "0123456789abcdefABCDEFxyz._/-~ \n\x00é"
	for i := 0; i < 20000; i++ {
		n := []int{0, 1, 39, 40, 41, 63, 64, 65, 240, 245, 246}[r.Intn(11)]
		var b strings.Builder
		if r.Intn(2) == 0 {
			b.WriteString("refs/")
			n -= 5
		}
		for j := 0; j < n; j++ {
			if r.Intn(8) == 0 {
				b.WriteByte(alphabet[r.Intn(len(alphabet))])
			} else {
				b.WriteByte("0123456789abcdef"[r.Intn(16)])
			}
		}
		s := b.String()
		if isCommit(s) != commitRE.MatchString(s) {
			t.Fatalf("isCommit(%q) = %v", s, isCommit(s))
		}
		if isRef(s) != refRE.MatchString(s) {
			t.Fatalf("isRef(%q) = %v", s, isRef(s))
		}
	}
}
