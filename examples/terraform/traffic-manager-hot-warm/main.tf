# Active/passive across an Azure region pair: East US serves, West US runs warm (scaled down, no
# traffic). Traffic Manager answers at bcdr-shop.trafficmanager.net.
#
# Fail over by swapping the modes (east "warm", west "hot") and applying: one atomic write moves the
# traffic, and it stays there (Traffic Manager never fails back by itself). Fail back the same way.
terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr" }
  }
}

provider "bcdr" {} # ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET

resource "bcdr_topology" "shop" {
  name = "shop"

  region "eastus" {
    vnet_cidr          = "10.1.0.0/16"
    mode               = "hot"
    role               = "primary"       # home of the global resources; failing back means making it hot again
    availability_zones = ["1", "2", "3"] # a zone outage is not a failover (West US has no zones)
  }

  region "westus" {
    vnet_cidr  = "10.2.0.0/16"
    mode       = "warm"
    node_count = 1
  }

  traffic_manager {
    routing_method = "Priority"
    probe_path     = "/healthz"
  }

  registry {} # Premium ACR replicated to West US; both kubelet identities may pull

  backup {} # GRS storage replicated to West US, a container per cluster (for Velero)
}

output "global_fqdn" {
  value = bcdr_topology.shop.traffic_manager.fqdn
}

output "failover_seconds" {
  # About how long clients keep reaching a failed hot region: probes until Degraded, then the TTL.
  value = bcdr_topology.shop.traffic_manager.failover_seconds
}

output "ingress" {
  # What each cluster's ingress Service needs: loadBalancerIP and the resource-group annotation.
  value = {
    for name, r in bcdr_topology.shop.region : name => {
      ip             = r.ingress_ip_address
      resource_group = r.ingress_resource_group
      receives       = r.endpoint_status
    }
  }
}
