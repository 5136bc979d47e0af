# Active/passive across East US and West US (an Azure pair) behind Traffic Manager, with a
# geo-replicated registry both clusters pull from.
resource "bcdr_topology" "shop" {
  name = "shop"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "westus" {
    vnet_cidr  = "10.2.0.0/16"
    mode       = "warm"
    node_count = 1
  }

  traffic_manager {
    routing_method = "Priority"
  }

  registry {}

  timeouts {
    create = "2h"
  }
}
