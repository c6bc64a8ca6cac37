# The smallest useful configuration: one persistent partition for a work
# app, with a corporate proxy, TLS 1.2 at least, a preload script and a
# locked-down permission handler.
#
#   sessctl plan examples/basic.hcl
#   sessctl apply --auto-approve examples/basic.hcl

partition "persist:work" {
  cache = true

  # <local> makes single-label intranet names (http://wiki/) bypass the
  # proxy. sessctl warns (W101) because Electron's documentation says it
  # means localhost; it does not. Reviewed and meant, so acknowledged:
  # `sessctl warnings W101` explains the code.
  ignore_warnings = ["W101"]

  proxy {
    rules        = "http=proxy.corp.example:3128;https=proxy.corp.example:3128"
    bypass_rules = ["<local>", "*.corp.example", "10.0.0.0/8"]
  }

  tls {
    min_version = "tls1.2"
  }

  user_agent       = "WorkApp/1.0"
  accept_languages = ["en-US", "fr"]

  preload "telemetry" {
    path = "${path.config}/files/telemetry.js"
  }

  spellcheck {
    languages = ["en-US", "fr"]
    words     = ["sessctl", "Electron"]
  }

  permissions {
    default = "deny"
    rule "notifications" {
      permissions = ["notifications"]
      origins     = ["https://[*.]corp.example"]
      decision    = "allow"
    }
  }
}
