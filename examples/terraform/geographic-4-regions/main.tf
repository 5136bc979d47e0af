# Four hot regions, two Azure pairs: Geographic routing sends each geography's users to one region
# (WORLD catches every place not mapped elsewhere). Every region maps its own codes: Traffic Manager
# maps a code to one endpoint per profile.
terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr" }
  }
}

provider "bcdr" {} # ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET

resource "bcdr_topology" "global" {
  name = "global"

  region "northeurope" {
    vnet_cidr    = "10.1.0.0/16"
    geo_mappings = ["GEO-EU"]
  }

  region "westeurope" {
    vnet_cidr    = "10.2.0.0/16"
    geo_mappings = ["GEO-ME", "GEO-AF"]
  }

  region "eastus" {
    vnet_cidr    = "10.3.0.0/16"
    geo_mappings = ["GEO-NA", "GEO-SA"]
  }

  region "westus" {
    vnet_cidr    = "10.4.0.0/16"
    geo_mappings = ["WORLD"]
  }

  traffic_manager {
    routing_method = "Geographic"
  }

  registry {}
}

output "endpoints" {
  value = { for name, r in bcdr_topology.global.region : name => r.endpoint_status }
}
