# Stand-in for the default agent configuration HashiCorp's nomad package ships
# (a conffile). Full configuration options can be found in Nomad's documentation.
data_dir  = "/opt/nomad/data"
bind_addr = "0.0.0.0"

server {
  enabled          = true
  bootstrap_expect = 1
}

client {
  enabled = true
  servers = ["127.0.0.1"]
}
