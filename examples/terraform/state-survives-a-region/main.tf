# State that survives a region: East US serves, West US runs warm across the Azure pair, and the
# application's state follows the traffic.
#
# - backup: AKS Backup in each region with a running cluster (a Backup vault, geo-redundant with
#   Cross Region Restore, the backup extension, trusted access and the roles Microsoft documents), a
#   backup every 4 hours of East US's cluster, the first of each day copied to the Vault tier.
# - database: PostgreSQL flexible server, the primary in East US and a geo read replica in West US,
#   private access only (a delegated subnet per region, one private DNS zone linked to both VNets),
#   Entra ID sign-in only (no password exists). Applications connect to `database.write_host`.
#
# Fail over by swapping the modes (east "warm", west "hot") and applying: West US's replica is promoted
# first (forced while East US does not answer), then Traffic Manager moves the traffic. Restore East
# US's latest backup into West US with the `restore` block (Cross Region Restore from the copy Azure
# keeps in West US, so it works while East US is down). Fail back by swapping the modes again.
terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr" }
  }
}

provider "bcdr" {} # ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET

resource "bcdr_topology" "orders" {
  name = "orders"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
    mode      = "hot"
    role      = "primary"
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

  backup {
    frequency_hours      = 4
    retention_days       = 7
    vault_retention_days = 30

    # Uncomment to restore East US's latest backup into West US (change `request` to restore again):
    # restore {
    #   from_region = "eastus"
    #   into_region = "westus"
    #   request     = "2026-12-07 drill"
    # }
  }

  database {
    replica_regions       = ["westus"]
    admin_group_object_id = "00000000-0000-0000-0000-00000000a11c" # your Entra ID group
    admin_group_name      = "orders-dba"
  }
}

output "database_host" {
  # The read-write endpoint: it follows the primary across failovers.
  value = bcdr_topology.orders.database.write_host
}

output "database_primary" {
  value = bcdr_topology.orders.database.primary_region
}

output "backup_vaults" {
  value = bcdr_topology.orders.backup.vault_ids
}
