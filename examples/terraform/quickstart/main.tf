# A two-region AKS BC/DR topology on the local ARM emulator:
#   arm-emulator --listen 127.0.0.1:8443 --state /tmp/arm/state.json
terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr" }
  }
}

provider "bcdr" {
  subscription_id     = "00000000-0000-0000-0000-000000000001"
  tenant_id           = "00000000-0000-0000-0000-00000000aaaa"
  client_id           = "local"
  client_secret       = "local"
  endpoint            = "https://127.0.0.1:8443"
  ca_certificate_file = "/tmp/arm/state.cert.pem"
  # The emulator runs Azure's times at its --latency-scale (0.01 by default): poll at the same scale.
  # Leave it unset against Azure.
  poll_interval_scale = 0.01
}

resource "bcdr_topology" "shop" {
  name = "shop"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }
}

output "clusters" {
  value = { for name, r in bcdr_topology.shop.region : name => r.cluster_fqdn }
}

output "peerings" {
  value = bcdr_topology.shop.peerings
}
