sessctl {
  session_data = "${path.config}/appdata"
}

partition "persist:all" {
  cache = false
  proxy {
    rules        = "http=foopy:80;socks=socks4://sockshost"
    bypass_rules = ["<local>", ".corp.example"]
  }
  tls {
    min_version            = "tls1.2"
    max_version            = "tls1.3"
    disabled_cipher_suites = [156, "0x009d"]
  }
  user_agent       = "All/1.0"
  accept_languages = "en-US,fr,de"
  download_path    = "${path.config}/downloads"
  downloads {
    directory          = "${path.config}/downloads/reports"
    ask                = false
    max_size           = 52428800
    allowed_extensions = ["pdf", "csv"]
    blocked_extensions = ["exe"]
    allowed_mime_types = ["application/pdf", "text/*"]
    blocked_mime_types = ["text/html"]
    allowed_origins    = ["https://[*.]corp.example"]
    blocked_origins    = ["http://*"]
  }
  web_request "ads" {
    urls   = ["*://*.ads.example/*"]
    types  = ["script"]
    cancel = true
  }
  web_request "corp" {
    urls        = ["https://*.corp.example/*"]
    set_headers = ["X-Corp: 1"]
  }
  preload "tel" {
    path = "${path.config}/files/tel.js"
    type = "frame"
  }
  spellcheck {
    languages      = ["en-US", "af-ZA"]
    dictionary_url = "https://dicts.example.com/"
    words          = ["sessctl", "hcl"]
    dictionary "en-US" {
      source = "${path.config}/files/en-US-10-1.bdic"
      sha256 = "45da8df59a0f4d5584eeb7267efd7d8a32c11d8be70df4438bf6b9ab2a5c2ba2"
    }
  }
  extension "helper" {
    path              = "${path.config}/files/ext"
    allow_file_access = true
  }
  permissions {
    default = "deny"
    rule "notif" {
      permissions = ["notifications"]
      origins     = ["https://[*.]example.com"]
      decision    = "allow"
      handler     = "request"
    }
    rule "cam" {
      permissions     = ["media"]
      origins         = ["https://meet.example.com:443"]
      media_types     = ["video"]
      decision        = "allow"
      main_frame_only = true
    }
    rule "ext" {
      permissions   = ["openExternal"]
      origins       = ["*"]
      external_urls = ["mailto:*"]
      decision      = "allow"
    }
  }
  certificate "internal.example.com" {
    verify = "accept"
  }
  certificate "*.bad.example" {
    verify = "net::ERR_CERT_REVOKED"
  }
  display_media {
    rule "meet" {
      origins  = ["https://meet.corp.example"]
      decision = "allow"
      screens  = ["Entire Screen", "Screen *"]
      windows  = ["*Slides*"]
    }
    rule "others" {
      decision = "deny"
    }
  }
  devices {
    hid "fido" {
      origins    = ["https://login.corp.example"]
      vendor_id  = "0x1050"
      usage_page = "0xF1D0"
      action     = "allow"
    }
    usb "scanner" {
      origins       = ["https://[*.]corp.example"]
      vendor_id     = 1208
      product_id    = "0x0D1B"
      serial_number = "SN1"
      action        = "allow"
    }
    serial "arduino" {
      origins   = ["https://lab.corp.example"]
      vendor_id = "0x2341"
      action    = "allow"
    }
    bluetooth "pair" {
      origins = ["https://login.corp.example"]
      action  = "confirm"
    }
  }
  serial {
    select {
      vendor_id  = "0x2341"
      product_id = 67
    }
    select {
      port_name = "ttyUSB0"
    }
  }
  network_emulation {
    offline      = false
    latency_ms   = 150
    download_bps = 6400
    upload_bps   = 3200
  }
  ntlm_domains = ["*.corp.example", "intranet"]
  preconnect {
    url     = "https://example.com"
    sockets = 2
  }
  cookie "__Host-sid" {
    url        = "https://example.com/"
    value      = "abc"
    secure     = true
    path       = "/"
    http_only  = true
    same_site  = "strict"
  }
  maintenance {
    clear_cache        = 2
    clear_storage_data = 1
    clear_storage_data_options {
      storages = ["cookies", "localstorage"]
      origin   = "https://example.com"
    }
  }
}
