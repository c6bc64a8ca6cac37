variable "proxy_host" {
  type    = string
  default = "proxy.corp"
}

variable "port" {
  type    = number
  default = 8080
}

variable "langs" {
  type    = list(string)
  default = ["en-US", "de"]
}

locals {
  rules = "http=${local.host}:${var.port}"
  host  = upper(var.proxy_host)
  words = sort(distinct(concat(["b", "a"], ["a"])))
}

partition "persist:exprs" {
  user_agent       = format("App/%d (%s; %s) %s", 2, host.os, host.name, trimspace(file("dl.txt")))
  accept_languages = var.langs
  cache            = can(regex("^a", "abc"))

  proxy {
    rules        = local.rules
    bypass_rules = join(",", ["<local>", lower("X.COM")])
  }
  spellcheck {
    words     = local.words
    languages = [for l in var.langs : l if l != "de"]
  }
  preload "p" {
    path   = "${path.config}/p.js"
    sha256 = filesha256("p.js")
  }
  serial {
    select {
      vendor_id  = 9025
      product_id = lookup({ uno = "0x0043" }, "uno", "none")
    }
  }
}
