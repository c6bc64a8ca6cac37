go test fuzz v1
[]byte("variable \"hosts\" {\n  type = map(string)\n  default = {\n    a = \"http://a:80\"\n    b = \"http://b:80\"\n  }\n}\n\npartition \"persist:${each.key}\" {\n  for_each   = var.hosts\n  user_agent = \"UA-${each.key}\"\n  proxy {\n    rules = each.value\n  }\n}\n\npartition \"mem-${each.value}\" {\n  for_each = toset([\"x\", \"y\"])\n  cache    = false\n}\n\npartition \"persist:literal\" {\n  cache = true\n}\n")
bool(false)
string("port=8080")
