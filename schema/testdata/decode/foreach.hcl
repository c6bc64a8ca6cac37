variable "hosts" {
  type = map(string)
  default = {
    a = "http://a:80"
    b = "http://b:80"
  }
}

partition "persist:${each.key}" {
  for_each   = var.hosts
  user_agent = "UA-${each.key}"
  proxy {
    rules = each.value
  }
}

partition "mem-${each.value}" {
  for_each = toset(["x", "y"])
  cache    = false
}

partition "persist:literal" {
  cache = true
}
