# Layer-7 active/passive with Front Door Premium: North Europe serves, West Europe (its Azure pair)
# runs warm behind a disabled origin. Fail over by swapping the modes. A WAF guards the endpoint:
# custom rules (any tier) and Microsoft's managed rule sets (Premium).
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

    waf {
      mode = "Prevention"

      custom_rule "blocksanctioned" {
        priority = 10
        match_condition {
          variable = "RemoteAddr"
          operator = "GeoMatch"
          values   = ["KP", "IR"]
        }
      }

      custom_rule "limitlogin" {
        priority             = 20
        rate_limit_threshold = 100
        match_condition {
          variable = "RequestUri"
          operator = "BeginsWith"
          values   = ["/login"]
        }
      }

      managed_rule_set "Microsoft_DefaultRuleSet" {
        version = "2.1"
      }

      managed_rule_set "Microsoft_BotManagerRuleSet" {
        version = "1.1"
      }
    }
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
