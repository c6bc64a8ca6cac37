package providers_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/certificate"
	"github.com/sessctl/sessctl/providers/displaymedia"
	"github.com/sessctl/sessctl/providers/downloads"
	"github.com/sessctl/sessctl/providers/permission"
	"github.com/sessctl/sessctl/providers/serialsel"
	"github.com/sessctl/sessctl/schema"
)

// The vector tables are written by hand in the compiled format; these
// sources must compile to exactly them, so the vectors exercise tables the
// compiler really emits (and the format documentation stays honest).
const vectorSources = `
partition "perm-basic" {
  permissions {
    default = "deny"
    rule "chat" {
      permissions = ["notifications", "media"]
      origins     = ["https://[*.]chat.corp.example:443"]
      decision    = "allow"
    }
    rule "late" {
      permissions = ["notifications"]
      origins     = ["https://a.chat.corp.example"]
      decision    = "deny"
    }
    rule "corp-all" {
      origins  = ["[*.]corp.example"]
      decision = "allow"
    }
  }
}

partition "perm-external" {
  permissions {
    rule "mail" {
      permissions   = ["openExternal"]
      external_urls = ["mailto:*"]
      handler       = "request"
      decision      = "allow"
    }
    rule "zoom" {
      permissions   = ["openExternal"]
      origins       = ["https://app.corp.example:443"]
      external_urls = ["https://[*.]zoom.us/j/*"]
      handler       = "request"
      decision      = "allow"
    }
    rule "docs-root" {
      permissions   = ["openExternal"]
      external_urls = ["https://docs.example/"]
      handler       = "request"
      decision      = "allow"
    }
    rule "no-ext" {
      permissions = ["openExternal"]
      handler     = "request"
      decision    = "deny"
    }
  }
}

partition "perm-external-ws" {
  permissions {
    rule "chat-ws" {
      permissions   = ["openExternal"]
      external_urls = ["wss://chat.example:443/*"]
      handler       = "request"
      decision      = "allow"
    }
  }
}

partition "perm-default-allow" {
  permissions {
    default = "allow"
    rule "block-cam" {
      permissions = ["media"]
      media_types = ["video"]
      decision    = "deny"
    }
    rule "top-notify" {
      permissions     = ["notifications"]
      handler         = "request"
      main_frame_only = true
      decision        = "allow"
    }
    rule "no-notify" {
      permissions = ["notifications"]
      decision    = "deny"
    }
  }
}

partition "perm-wildcards" {
  permissions {
    rule "star" {
      permissions = ["clipboard-read"]
      origins     = ["*"]
      handler     = "check"
      decision    = "allow"
    }
    rule "ip4" {
      permissions = ["geolocation"]
      origins     = ["https://192.168.0.1:8080"]
      decision    = "allow"
    }
    rule "ip6" {
      permissions = ["geolocation"]
      origins     = ["[::1]"]
      decision    = "allow"
    }
    rule "file-one" {
      permissions = ["midi"]
      origins     = ["file:///opt/app/index.html"]
      decision    = "allow"
    }
    rule "file-all" {
      permissions = ["midiSysex"]
      origins     = ["file:///*"]
      decision    = "deny"
    }
    rule "http-80" {
      permissions = ["idle-detection"]
      origins     = ["http://*:80"]
      decision    = "allow"
    }
    rule "any-sub" {
      permissions = ["midiSysex"]
      origins     = ["[*.]example.com"]
      decision    = "allow"
    }
    rule "fonts" {
      permissions = ["local-fonts"]
      origins     = ["https://fonts.example:*"]
      decision    = "allow"
    }
  }
}

partition "cert-basic" {
  certificate "internal.corp.example" { verify = "accept" }
  certificate "*.dev.corp.example"    { verify = "net::ERR_CERT_AUTHORITY_INVALID" }
  certificate "[*.]corp.example"      { verify = "chromium" }
  certificate "[*.]legacy.example"    { verify = "reject" }
  certificate "192.0.2.10"            { verify = "accept" }
  certificate "::1"                   { verify = "accept" }
  certificate "[*.]revoked.example"   { verify = "ERR_CERT_REVOKED" }
}

partition "dm-meet" {
  display_media {
    rule "blocked" {
      origins  = ["https://evil.meet.corp.example"]
      decision = "deny"
    }
    rule "meet" {
      origins  = ["https://[*.]meet.corp.example"]
      decision = "allow"
      screens  = ["Entire Screen", "Screen *"]
      windows  = ["*Slides*"]
      audio    = true
    }
    rule "viewer" {
      origins  = ["https://viewer.corp.example"]
      decision = "allow"
      windows  = ["Viewer — *"]
    }
    rule "nothing" {
      origins  = ["https://empty.corp.example"]
      decision = "allow"
      windows  = ["Nope"]
    }
  }
}

partition "dm-any" {
  display_media {
    rule "any" {
      decision = "allow"
      screens  = ["Entire Screen"]
    }
  }
}

partition "serial-lab" {
  serial {
    select {
      vendor_id  = "0x0403"
      product_id = "0x6001"
    }
    select {
      vendor_id     = 9025
      serial_number = "UNO2"
    }
    select {
      vendor_id  = "0x2341"
      product_id = 67
    }
  }
}

partition "dl-lists" {
  download_path = "/srv/downloads"
  downloads {
    directory          = "/srv/downloads/reports"
    max_size           = 1000000
    allowed_extensions = ["pdf", ".tar.gz", "CSV"]
    blocked_extensions = ["bad.pdf"]
    allowed_mime_types = ["application/pdf", "application/gzip", "text/*"]
    blocked_mime_types = ["text/html"]
    allowed_origins    = ["https://[*.]corp.example"]
    blocked_origins    = ["https://untrusted.corp.example"]
  }
}

partition "dl-ask" {
  downloads {
    ask                = true
    blocked_extensions = ["exe", "msi"]
  }
}
`

func TestVectorTablesCompileFromHCL(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(vectorSources), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := schema.Load(schema.LoadOptions{Path: dir})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	data, err := os.ReadFile("testdata/decisions.json")
	if err != nil {
		t.Fatal(err)
	}
	var f decisionsFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Partitions) != 11 {
		t.Fatalf("loaded %d partitions, want 11", len(cfg.Partitions))
	}
	ctx := providers.NewContext(cfg)
	for _, p := range cfg.Partitions {
		var got any
		switch {
		case permission.Key.Of(p) != nil:
			tab, d := permission.Compile(ctx, p)
			if d.HasErrors() {
				t.Fatalf("%s: %v", p.Name, d)
			}
			got = tab
		case len(certificate.Blocks(p)) > 0:
			tab, d := certificate.Compile(ctx, p)
			if d.HasErrors() {
				t.Fatalf("%s: %v", p.Name, d)
			}
			got = tab
		case displaymedia.Key.Of(p) != nil:
			tab, d := displaymedia.Compile(ctx, p)
			if d.HasErrors() {
				t.Fatalf("%s: %v", p.Name, d)
			}
			got = tab
		case serialsel.Key.Of(p) != nil:
			tab, d := serialsel.Compile(ctx, p)
			if d.HasErrors() {
				t.Fatalf("%s: %v", p.Name, d)
			}
			got = tab
		case downloads.Key.Of(p) != nil:
			tab, d := downloads.Compile(ctx, p)
			if d.HasErrors() {
				t.Fatalf("%s: %v", p.Name, d)
			}
			got = tab
		default:
			t.Fatalf("%s: nothing to compile", p.Name)
		}
		gotJSON, _ := json.Marshal(got)
		var want bytes.Buffer
		if err := json.Compact(&want, f.Tables[p.Name]); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		// Compare as generic JSON values: key order is not significant.
		var g, w any
		_ = json.Unmarshal(gotJSON, &g)
		_ = json.Unmarshal(want.Bytes(), &w)
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		if !bytes.Equal(gb, wb) {
			t.Errorf("%s compiles to\n%s\nbut decisions.json has\n%s", p.Name, gb, wb)
		}
	}
}
