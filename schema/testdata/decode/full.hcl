sessctl {
  output           = "/tmp/out"
  electron_version = 45
}

partition "persist:work" {
  cache      = true
  user_agent = "WorkApp/1.0"
  accept_languages = ["en-US", "fr"]
  ignore_drift     = ["userAgent"]

  proxy {
    mode         = "fixed_servers"
    rules        = "http=proxy:80;https=proxy:443"
    bypass_rules = "<local>,*.corp.example"
    pac_script   = "http://pac.example/p.pac"
  }
  preload "telemetry" {
    path   = "/opt/t.js"
    type   = "frame"
    sha256 = "abc"
  }
  preload "second" {
    path = "/opt/s.js"
  }
  spellcheck {
    enabled        = true
    languages      = ["en-US", "fr"]
    dictionary_url = "https://dict.example/"
    words          = ["sessctl", "électron"]
  }
  permissions {
    default = "deny"
    rule "chat" {
      permissions     = ["notifications", "media"]
      origins         = ["https://chat.corp.example"]
      decision        = "allow"
      handler         = "both"
      media_types     = ["audio"]
      external_urls   = ["mailto:"]
      main_frame_only = true
    }
  }
  serial {
    select {
      vendor_id  = 9025
      product_id = "0x0043"
    }
    select {
      serial_number = "ABC"
      port_name     = "/dev/ttyUSB0"
    }
  }
}

