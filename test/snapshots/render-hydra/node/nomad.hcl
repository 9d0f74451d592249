# Managed by Hydra (Pulumi). Agent config changes need a restart;
# changing bind_addr on a bootstrapped server needs its data dir wiped.
datacenter = "hydra"
region     = "global"
data_dir   = "/opt/nomad/data"

# Bind only to the tailnet address: the API and RPC are never public.
bind_addr = "{{ GetInterfaceIP \"tailscale0\" }}"

disable_update_check = true
leave_on_terminate   = false

server {
  enabled          = true
  bootstrap_expect = 1

  # Read once, when the cluster first elects a leader; on a running cluster use
  # `nomad operator scheduler set-config -memory-oversubscription=true`.
  default_scheduler_config {
    memory_oversubscription_enabled = true
  }
}

client {
  enabled = true

  # Host networks by interface, so no address is hard-coded; they are
  # fingerprinted at client start, hence Nomad starts after tailscale0 is up.
  host_network "tailscale" {
    interface = "tailscale0"
  }

  host_network "public" {
    interface = "eth0"
  }

  # Kept for the host (Docker, Tailscale, the agents): tasks are never placed into it.
  reserved {
    memory = 512
  }
}

plugin "docker" {
  config {
    volumes {
      enabled = true
    }
    extra_labels = ["job_name", "task_group_name", "task_name", "node_name"]
  }
}

# The backup job runs restic on the host with raw_exec.
plugin "raw_exec" {
  config {
    enabled = true
  }
}

telemetry {
  collection_interval        = "15s"
  disable_hostname           = true
  prometheus_metrics         = true
  publish_allocation_metrics = true
  publish_node_metrics       = true
}

acl {
  enabled = true
}
