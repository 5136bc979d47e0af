# Active/active across Central US and East US 2 (an Azure pair): both regions serve, Traffic Manager
# sends each client to the lowest-latency healthy region.
terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr" }
  }
}

provider "bcdr" {} # ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET

resource "bcdr_topology" "api" {
  name = "api"

  region "centralus" {
    vnet_cidr = "10.10.0.0/16"
  }

  region "eastus2" {
    vnet_cidr = "10.20.0.0/16"
  }

  traffic_manager {
    routing_method = "Performance"
    dns_name       = "api-global-example"
    ttl            = 10
  }

  registry {}

  # Where the application keeps state: readiness checks it against the guidance.
  stateful_service "sessions" {
    kind           = "managed"
    geo_replicated = true
  }
}

output "global_fqdn" {
  value = bcdr_topology.api.traffic_manager.fqdn
}
