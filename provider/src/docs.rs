//! Registry-layout documentation (`docs/index.md`, `docs/resources/topology.md`) rendered from the
//! schema, so the docs cannot drift from what the provider accepts. `tests/docs_current.rs` checks the
//! committed files; `BCDR_UPDATE_DOCS=1 cargo test -p terraform-provider-bcdr --test docs_current`
//! rewrites them.

use crate::schema::{Block, Mode, Nesting};
use crate::{config, regions, topology};
use std::fmt::Write;

fn arguments(out: &mut String, block: &Block) {
    for a in block.attributes.iter().filter(|a| a.mode != Mode::Computed) {
        let kind = match a.mode {
            Mode::Required => "Required",
            _ => "Optional",
        };
        let sensitive = if a.sensitive { ", Sensitive" } else { "" };
        let _ = writeln!(
            out,
            "- `{}` ({kind}, {}{sensitive}) {}",
            a.name,
            a.ty.hcl(),
            a.description
        );
    }
}

fn attributes(out: &mut String, block: &Block) {
    for a in block.attributes.iter().filter(|a| a.mode == Mode::Computed) {
        let _ = writeln!(out, "- `{}` ({}) {}", a.name, a.ty.hcl(), a.description);
    }
}

/// Each nested block of `block` (at `prefix`), then its own nested blocks, depth first.
fn nested(out: &mut String, prefix: &str, block: &Block) {
    for b in &block.blocks {
        let path = if prefix.is_empty() {
            b.name.to_owned()
        } else {
            format!("{prefix}.{}", b.name)
        };
        let kind = match b.nesting {
            Nesting::Single => "Block, at most one",
            Nesting::List => "Block list",
            Nesting::Map => "Blocks, keyed by label",
        };
        let _ = writeln!(out, "### Nested Schema for `{path}`\n");
        let _ = writeln!(out, "({kind}) {}\n", b.block.description);
        arguments(out, &b.block);
        if b.block.attributes.iter().any(|a| a.mode == Mode::Computed) {
            let _ = writeln!(out, "\nRead-only:\n");
            attributes(out, &b.block);
        }
        let _ = writeln!(out);
        nested(out, &path, &b.block);
    }
}

const PROVIDER_EXAMPLE: &str = r#"terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr" }
  }
}

provider "bcdr" {
  # Or ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET.
  subscription_id = "00000000-0000-0000-0000-000000000000"
  tenant_id       = "00000000-0000-0000-0000-000000000000"
  client_id       = "00000000-0000-0000-0000-000000000000"
  client_secret   = var.client_secret
}"#;

pub const TOPOLOGY_EXAMPLE: &str = r#"resource "bcdr_topology" "shop" {
  name = "shop"

  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }

  region "westus" {
    vnet_cidr  = "10.2.0.0/16"
    node_count = 5
  }
}

output "eastus_api_server" {
  value = bcdr_topology.shop.region["eastus"].cluster_fqdn
}"#;

pub fn index() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\npage_title: \"bcdr Provider\"\ndescription: |-\n  A multi-region AKS BC/DR topology as one resource.\n---\n"
    );
    let _ = writeln!(out, "# bcdr Provider\n");
    let _ = writeln!(
        out,
        "The bcdr provider stands up and keeps alive a multi-region business-continuity / disaster-recovery topology for Azure Kubernetes Service as one resource, [`bcdr_topology`](resources/topology.md). It speaks to Azure Resource Manager directly, or to the local ARM emulator (`arm-emulator`) for offline use and CI.\n"
    );
    let _ = writeln!(out, "{}\n", config::schema().description);
    let _ = writeln!(
        out,
        "## Example Usage\n\n```terraform\n{PROVIDER_EXAMPLE}\n```\n"
    );
    let _ = writeln!(
        out,
        "Against the emulator (`arm-emulator --listen 127.0.0.1:8443 --state state.json`):\n\n```terraform\nprovider \"bcdr\" {{\n  subscription_id     = \"00000000-0000-0000-0000-000000000001\"\n  tenant_id           = \"00000000-0000-0000-0000-00000000aaaa\"\n  client_id           = \"local\"\n  client_secret       = \"local\"\n  endpoint            = \"https://127.0.0.1:8443\"\n  ca_certificate_file = \"state.cert.pem\"\n  # The emulator's --latency-scale (0.01 by default): poll at the scale its operations run at.\n  poll_interval_scale = 0.01\n}}\n```\n"
    );
    let _ = writeln!(
        out,
        "With a certificate instead of a secret (a PEM file holding the certificate and its unencrypted RSA key; each token request carries an assertion signed with the key):\n\n```terraform\nprovider \"bcdr\" {{\n  # Or ARM_CLIENT_CERTIFICATE_PATH.\n  subscription_id         = \"00000000-0000-0000-0000-000000000000\"\n  tenant_id               = \"00000000-0000-0000-0000-000000000000\"\n  client_id               = \"00000000-0000-0000-0000-000000000000\"\n  client_certificate_path = \"sp.pem\"\n}}\n```\n"
    );
    let _ = writeln!(
        out,
        "With workload identity federation (OIDC) there is no secret: a federated token, e.g. the one AKS workload identity mounts (`AZURE_FEDERATED_TOKEN_FILE`) or one a CI system issues, is exchanged for an Entra token. The app registration needs a federated credential trusting that token's issuer and subject.\n\n```terraform\nprovider \"bcdr\" {{\n  # Or ARM_USE_OIDC=true and ARM_OIDC_TOKEN_FILE_PATH.\n  subscription_id      = \"00000000-0000-0000-0000-000000000000\"\n  tenant_id            = \"00000000-0000-0000-0000-000000000000\"\n  client_id            = \"00000000-0000-0000-0000-000000000000\"\n  use_oidc             = true\n  oidc_token_file_path = \"/var/run/secrets/azure/tokens/azure-identity-token\"\n}}\n```\n"
    );
    let _ = writeln!(
        out,
        "As whoever is signed in to the Azure CLI (`az login`), as on a workstation:\n\n```terraform\nprovider \"bcdr\" {{\n  # Or ARM_USE_CLI=true.\n  subscription_id = \"00000000-0000-0000-0000-000000000000\"\n  use_cli         = true\n}}\n```\n"
    );
    let _ = writeln!(
        out,
        "As the managed identity of the VM, container or App Service Terraform runs in (system-assigned; set `client_id` for a user-assigned one):\n\n```terraform\nprovider \"bcdr\" {{\n  # Or ARM_USE_MSI=true.\n  subscription_id = \"00000000-0000-0000-0000-000000000000\"\n  use_msi         = true\n}}\n```\n"
    );
    let _ = writeln!(out, "## Schema\n");
    arguments(&mut out, &config::schema());
    out
}

pub fn topology() -> String {
    let schema = topology::schema::resource();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\npage_title: \"bcdr_topology Resource - bcdr\"\ndescription: |-\n  A multi-region AKS BC/DR topology.\n---\n"
    );
    let _ = writeln!(
        out,
        "# bcdr_topology (Resource)\n\n{}\n",
        schema.description
    );
    let _ = writeln!(
        out,
        "## Example Usage\n\n```terraform\n{TOPOLOGY_EXAMPLE}\n```\n"
    );
    let _ = writeln!(out, "## Argument Reference\n");
    arguments(&mut out, &schema);
    for b in &schema.blocks {
        let _ = writeln!(out, "- `{}` (Block) {}", b.name, b.block.description);
    }
    let _ = writeln!(out);
    nested(&mut out, "", &schema);
    let _ = writeln!(out, "## Attribute Reference\n");
    attributes(&mut out, &schema);
    let _ = writeln!(
        out,
        "\nPlans tell the truth: ids are known at plan time (names are deterministic); FQDNs and identities are `(known after apply)` for new regions; a refresh that finds Azure different from the topology shows the difference as an update (and in `drift`).\n"
    );
    let _ = writeln!(
        out,
        "## Validation\n\nChecked at `terraform validate`/`plan`, before any ARM call, each error naming its attribute: the name rules; 2 to 16 regions; known Azure regions that offer AKS, in canonical form, each once; VNet CIDRs that parse, have no host bits, are `/8` to `/24`, do not overlap each other or the clusters' Kubernetes service range (`172.16.0.0/16`), and leave the AKS subnet (their first half) room for the cluster under Azure CNI (31 addresses a node, autoscaled pools at their maximum: an error where AKS would refuse a running cluster, a warning where it would refuse a standby at its failover size, a warm region scaled up or a cold region's cluster, or upgrades for want of room for surge nodes); node counts 1 to 1000; Kubernetes versions `x.y[.z]`; at least one hot region; Traffic Manager or Front Door, not both; AKS pricing tiers (`Free`, `Standard`, `Premium`); Traffic Manager DNS names, unique priorities, weights 1 to 1000, geographic codes mapped once, and probing (an interval of 30 or 10 s, a timeout of 5 to 10 s and below a 10 s interval, 0 to 9 tolerated failures, at most 8 probe headers and 8 status code ranges of 100 to 999, neither on a TCP probe); Front Door probe paths, protocols and intervals (1 to 255 s) and origin host headers (a host name); for a WAF: managed rule sets only on Premium, known rule set types each listed once with a version and a Block or Log action, custom rule names of letters and digits, unique priorities, Allow/Block/Log actions, rate limits of at least 1 request per 1 or 5 minutes, at least one match condition per rule, known variables and operators, `IPMatch`/`GeoMatch` only on client addresses, IP addresses or CIDRs for `IPMatch` and two-letter country codes for `GeoMatch`. Regions that are not Azure pairs of each other are a warning. So is Geographic routing where no region maps `WORLD` (or every regional grouping, `GEO-NA` to `GEO-AN`): Traffic Manager answers a client from a place no region maps with no address at all (NODATA), whatever the regions' health. A region missing from the provider's offline table of Azure regions (Azure opens new ones) is a warning at `terraform validate` and is looked up in the subscription's locations at `terraform plan`, with reads only: a region Azure reports with AKS is planned like any other, any other name is refused there (with the nearest region name when it looks misspelt). An access-restricted region (Australia Central 2, Brazil Southeast, France South, Germany North, Korea South, Norway West, South Africa West, Sweden South, Switzerland West, UAE Central: the second region of a country, which Azure offers only to subscriptions Microsoft has granted access, for in-country disaster recovery) is a warning at `terraform validate` and is asked of the subscription at `terraform plan` (its locations, and where its `Microsoft.ContainerService` provider offers managed clusters; reads only): a subscription granted the region plans it like any other, one that is not is refused at the region with the way to request access and the regions it may use. When a region's Azure pair is missing from the topology and that pair is access-restricted, the pairing warning says so. A pinned `kubernetes_version` is checked at `terraform plan` against the versions AKS offers in its region (one read per region that pins one): an error where the apply would make the cluster or move it to that version (a failover to a cold region included), a warning where a cluster keeps running a version that has retired or a cold region's would be refused at failover. Before a Traffic Manager profile is made, `terraform plan` asks Azure whether its DNS name is free (names are global): a taken one is an error at `traffic_manager.dns_name`. A cold region's cluster, made at failover, is checked against the region's VM sizes and the subscription's vCPU quota there (two reads per cold region): a size the region does not offer, or a cluster that would not fit, is a warning. So is a warm region with fewer nodes than the hot regions, whose system pool a failover scales up to theirs: the nodes it would add must fit the quota. A new `vnet_cidr` that would move the AKS subnet of a region whose cluster exists (the state says so) is an error at the attribute: the nodes hold addresses in that subnet, and Azure refuses to change the prefix of a subnet in use (`InUsePrefixCannotBeDeleted`); the region renumbers once it is cold.\n"
    );
    let _ = writeln!(
        out,
        "## Import\n\nImport by the global resource group's id (or just the topology name); the whole topology is rebuilt from the resources tagged `bcdr-topology = <name>`:\n\n```shell\nterraform import bcdr_topology.shop /subscriptions/<subscription>/resourceGroups/rg-shop-global\n```\n\nA create that fails saves nothing to the state (so that Terraform does not taint it and replace the topology): the next `terraform apply` adopts what it made. `terraform destroy` does not call the provider for a resource its state does not hold, so to remove what a failed create made instead, import it first, then destroy."
    );
    out
}

pub fn regions_data_source() -> String {
    let schema = regions::schema();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\npage_title: \"bcdr_regions Data Source - bcdr\"\ndescription: |-\n  Azure regions with their pairs and AKS availability.\n---\n"
    );
    let _ = writeln!(
        out,
        "# bcdr_regions (Data Source)\n\n{}\n",
        schema.description
    );
    let _ = writeln!(
        out,
        "## Example Usage\n\n```terraform\ndata \"bcdr_regions\" \"candidates\" {{\n  names = [\"eastus\", \"westus\", \"northeurope\", \"westeurope\"]\n}}\n\n# [[\"eastus\", \"westus\"], [\"northeurope\", \"westeurope\"]]\noutput \"pairs\" {{\n  value = data.bcdr_regions.candidates.recommended_pairs\n}}\n\n# The newest Kubernetes minor version all four offer (e.g. \"1.31\"), for every region's kubernetes_version\noutput \"kubernetes_version\" {{\n  value = reverse(data.bcdr_regions.candidates.common_kubernetes_versions)[0]\n}}\n```\n"
    );
    let _ = writeln!(out, "## Argument Reference\n");
    arguments(&mut out, &schema);
    let _ = writeln!(out, "\n## Attribute Reference\n");
    for a in schema
        .attributes
        .iter()
        .filter(|a| a.mode == Mode::Computed)
    {
        let _ = writeln!(out, "- `{}` ({}) {}", a.name, a.ty.hcl(), a.description);
    }
    out
}
