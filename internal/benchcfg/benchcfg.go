// Package benchcfg writes the configurations benchmarks and scale tests
// load: n partitions with every setting family set. It only writes text,
// so any package's tests can use it (schema's too).
package benchcfg

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Generate writes into dir a configuration of n partitions with
// every setting family set to values the providers accept, plus the files
// it references (a preload script, an unpacked extension). With forEach the
// partitions come from one for_each block over a map of n entries;
// otherwise they are n literal blocks. Benchmarks of schema and reconcile
// use it; the partition names are "persist:p0" … "persist:p<n-1>" either
// way, so both forms describe the same sessions.
func Generate(dir string, n int, forEach bool) error { return GenerateWithout(dir, n, forEach) }

// GenerateWithout is Generate without the top-level blocks named in omit:
// the schema package's own tests load configurations without the setting
// families that register themselves from their provider package (a
// schema test cannot import them).
func GenerateWithout(dir string, n int, forEach bool, omit ...string) error {
	if n < 0 {
		return fmt.Errorf("benchcfg.Generate: negative partition count %d", n)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(abs, "extension"), 0o755); err != nil {
		return err
	}
	preload := []byte("// sessctl benchmark preload\nwindow.benchLoaded = true;\n")
	if err := os.WriteFile(filepath.Join(abs, "preload.js"), preload, 0o644); err != nil {
		return err
	}
	manifest := []byte(`{"manifest_version": 3, "name": "Bench", "version": "1.0"}` + "\n")
	if err := os.WriteFile(filepath.Join(abs, "extension", "manifest.json"), manifest, 0o644); err != nil {
		return err
	}
	sum := sha256.Sum256(preload)
	preloadSum := hex.EncodeToString(sum[:])

	f, err := os.Create(filepath.Join(abs, "main.hcl"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	fmt.Fprintf(w, "sessctl {\n  output = %q\n}\n\n", filepath.Join(abs, "out"))
	if forEach {
		w.WriteString("locals {\n  hosts = {\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "    p%d = \"proxy%d.corp.example:8080\"\n", i, i%100)
		}
		w.WriteString("  }\n}\n\n")
		WritePartition(w, omit, `"persist:${each.key}"`, "  for_each = local.hosts\n",
			`"BenchApp/1.0 (${each.key})"`, `"http=${each.value};https=proxy.corp.example:8443"`,
			`"${path.config}/downloads/${each.key}"`, abs, preloadSum)
	} else {
		for i := 0; i < n; i++ {
			name := "p" + strconv.Itoa(i)
			WritePartition(w, omit, strconv.Quote("persist:"+name), "",
				strconv.Quote("BenchApp/1.0 ("+name+")"),
				strconv.Quote(fmt.Sprintf("http=proxy%d.corp.example:8080;https=proxy.corp.example:8443", i%100)),
				strconv.Quote(filepath.Join(abs, "downloads", name)), abs, preloadSum)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WritePartition writes one partition block with every family set (but
// the blocks in omit): label and forEach as written, ua, rules and
// download as HCL expressions, dir the directory of the preload script
// and extension.
func WritePartition(w *bufio.Writer, omit []string, label, forEach, ua, rules, download, dir, preloadSum string) {
	body := fmt.Sprintf(`partition %s {
%s  cache            = true
  user_agent       = %s
  accept_languages = ["en-US", "fr"]
  download_path    = %s
  ntlm_domains     = ["*.corp.example"]

  proxy {
    mode         = "fixed_servers"
    rules        = %s
    bypass_rules = ["*.corp.example", "10.0.0.0/8"]
  }
  tls {
    min_version            = "tls1.2"
    max_version            = "tls1.3"
    disabled_cipher_suites = [156, 157]
  }
  preload "main" {
    path   = %q
    type   = "frame"
    sha256 = %q
  }
  spellcheck {
    enabled   = true
    languages = ["en-US", "fr"]
    words     = ["sessctl", "electron"]
  }
  extension "bench" {
    path              = %q
    allow_file_access = false
  }
  permissions {
    default = "deny"
    rule "notify" {
      permissions = ["notifications"]
      origins     = ["https://app.corp.example"]
      decision    = "allow"
    }
    rule "serial" {
      permissions = ["serial"]
      origins     = ["https://app.corp.example"]
      handler     = "both"
      decision    = "allow"
    }
  }
  certificate "internal.corp.example" {
    verify = "accept"
  }
  serial {
    select {
      vendor_id  = 9025
      product_id = 67
    }
  }
  network_emulation {
    offline      = false
    latency_ms   = 20
    download_bps = 1000000
    upload_bps   = 500000
  }
  preconnect {
    url     = "https://app.corp.example"
    sockets = 2
  }
}

`, label, forEach, ua, download, rules, filepath.Join(dir, "preload.js"), preloadSum, filepath.Join(dir, "extension"))
	for _, typ := range omit {
		body = omitBlock(body, typ)
	}
	w.WriteString(body)
}

// omitBlock removes the attribute or the blocks typ (at two spaces of
// indentation; blocks with or without a label, closed at the same
// indentation) from body.
func omitBlock(body, typ string) string {
	for {
		start := strings.Index(body, "\n  "+typ+" ")
		if start < 0 {
			return body
		}
		out := cutBlock(body, start)
		if out == body {
			return body
		}
		body = out
	}
}

// cutBlock removes the line at body[start+1:], and the rest of its block
// when the line opens one.
func cutBlock(body string, start int) string {
	eol := strings.IndexByte(body[start+1:], '\n')
	if eol < 0 {
		return body
	}
	if line := body[start+1 : start+1+eol]; !strings.HasSuffix(line, "{") {
		return body[:start] + body[start+1+eol:]
	}
	end := strings.Index(body[start+1:], "\n  }\n")
	if end < 0 {
		return body
	}
	return body[:start] + body[start+1+end+len("\n  }"):]
}

// warnRule is a bypass rule that draws one warning (W111: '?' matches
// zero or one character) from every partition that has it.
const warnRule = `bypass_rules = ["*.corp.example", "10.0.0.0/8", "bench?warning"]`

// AddWarnings rewrites the configuration Generate wrote in dir so that
// every partition has one warning at its own line (with for_each, the
// one block draws one warning per instance, printed once with a count):
// the benchmarks of diagnostics compare it with the same configuration
// without warnings.
func AddWarnings(dir string) error {
	path := filepath.Join(dir, "main.hcl")
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	old := []byte(`bypass_rules = ["*.corp.example", "10.0.0.0/8"]`)
	if !bytes.Contains(src, old) {
		return fmt.Errorf("benchcfg.AddWarnings: %s has no bypass rules to change", path)
	}
	return os.WriteFile(path, bytes.ReplaceAll(src, old, []byte(warnRule)), 0o644)
}
