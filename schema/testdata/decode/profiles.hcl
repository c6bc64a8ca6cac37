profile "base" {
  cache      = false
  user_agent = "Base"
  proxy {
    mode  = "fixed_servers"
    rules = "base:80"
  }
  preload "a" {
    path = "/base/a.js"
    type = "frame"
  }
  preload "b" {
    path = "/base/b.js"
  }
  permissions {
    default = "deny"
    rule "r1" {
      permissions = ["notifications"]
      decision    = "allow"
    }
  }
  serial {
    select {
      vendor_id = 1
    }
    select {
      vendor_id = 2
    }
  }
  spellcheck {
    languages = ["en-US"]
  }
}

profile "extra" {
  user_agent = "Extra"
  proxy {
    rules = "extra:80"
  }
  preload "b" {
    type = "service-worker"
  }
  preload "c" {
    path = "/extra/c.js"
  }
  permissions {
    rule "r1" {
      decision = "deny"
    }
    rule "r2" {
      permissions = ["media"]
    }
  }
  serial {
    select {
      vendor_id = 3
    }
  }
}

partition "persist:p" {
  profiles = [profile.base, profile.extra]
  cache    = true
  preload "a" {
    path = "/own/a.js"
  }
  preload "d" {
    path = "/own/d.js"
  }
}

partition "mem" {
  profiles = [profile.extra, profile.base]
}
