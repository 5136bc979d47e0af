# Geographic routing with a warm standby per geography, as the AKS BC/DR guidance draws it: Europe,
# the Middle East and Africa go to North Europe, with West Europe (its Azure pair) warm; everyone else
# goes to East US, with West US (its pair) warm. Regions that map the same codes form an area: a
# Priority profile nested under the Geographic one, so each geography fails over on its own (swap the
# two modes of an area and apply: one write to that area's profile).
terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr" }
  }
}

provider "bcdr" {} # ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET

resource "bcdr_topology" "global" {
  name = "geostandby"

  region "northeurope" {
    vnet_cidr    = "10.1.0.0/16"
    geo_mappings = ["GEO-EU", "GEO-ME", "GEO-AF"]
  }

  region "westeurope" {
    vnet_cidr    = "10.2.0.0/16"
    mode         = "warm"
    node_count   = 1
    geo_mappings = ["GEO-EU", "GEO-ME", "GEO-AF"]
  }

  region "eastus" {
    vnet_cidr    = "10.3.0.0/16"
    geo_mappings = ["WORLD"]
  }

  region "westus" {
    vnet_cidr    = "10.4.0.0/16"
    mode         = "warm"
    node_count   = 1
    geo_mappings = ["WORLD"]
  }

  traffic_manager {
    routing_method = "Geographic"
  }
}

output "endpoints" {
  value = { for name, r in bcdr_topology.global.region : name => r.endpoint_status }
}
