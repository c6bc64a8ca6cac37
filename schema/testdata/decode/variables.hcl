variable "proxy" {
  type = object({
    host = string
    port = optional(number, 3128)
  })
  default     = { host = "p.example" }
  description = "Corporate proxy"
  sensitive   = false
  validation {
    condition     = var.proxy.port > 0
    error_message = "port must be positive"
  }
}

variable "tags" {
  type    = set(string)
  default = ["b", "a", "b"]
}

partition "persist:vars" {
  accept_languages = var.tags
  proxy {
    rules = "${var.proxy.host}:${var.proxy.port}"
  }
}
