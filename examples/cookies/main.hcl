# Cookies with a secret value (docs/cookies.md). The token comes from the
# environment, never from a file in the repository:
#
#   SESSCTL_VAR_sso_token=... sessctl plan examples/cookies
#
# Plans, state and logs show only "(sensitive value, sha256:…)"; the
# profile file, which holds the value, is written with mode 0600.

sessctl {
  name = "cookies-example"
}

variable "sso_token" {
  type      = string
  sensitive = true
}

partition "persist:portal" {
  permissions {
    default = "deny"
  }
  # __Host-: Secure, from https, path "/", no domain (RFC 6265bis §4.1.3).
  cookie "__Host-sso" {
    url       = "https://portal.corp.example/"
    value     = "v1.${var.sso_token}"
    secure    = true
    path      = "/"
    http_only = true
    same_site = "strict"
  }
  # Shared with every host under corp.example; a session cookie (no
  # expiration), set again at each start of the app.
  cookie "locale" {
    url    = "https://portal.corp.example/"
    domain = "corp.example"
    value  = "en-GB"
  }
}
