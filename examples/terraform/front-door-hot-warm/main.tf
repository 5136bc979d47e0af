# Layer-7 active/passive with Front Door Premium: North Europe serves, West Europe (its Azure pair)
# runs warm behind a disabled origin. Fail over by swapping the modes.
terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr" }
  }
}

provider "bcdr" {} # ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET

resource "bcdr_topology" "web" {
  name = "web"

  region "northeurope" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "westeurope" {
    vnet_cidr  = "10.2.0.0/16"
    mode       = "warm"
    node_count = 1
  }

  front_door {
    tier             = "Premium"
    probe_path       = "/healthz"
    session_affinity = true
  }

  registry {}

  backup {}

  # Kept in the cluster: readiness warns it is lost with its region unless backed up.
  stateful_service "uploads" {
    kind = "in-cluster"
  }
}

output "url" {
  value = "https://${bcdr_topology.web.front_door.host_name}"
}
