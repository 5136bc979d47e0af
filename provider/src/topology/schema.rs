//! The `bcdr_topology` resource schema.

use crate::schema::{Attr, Block, Mode, NestedBlock, Nesting, Ty, attr};

mod backup;
mod database;
mod pools;
mod waf;

/// Bumped when the stored state's shape changes; `UpgradeResourceState` migrates older ones.
pub const VERSION: i64 = 1;

pub const DEFAULT_NODE_COUNT: f64 = 3.0;
pub const DEFAULT_VM_SIZE: &str = "Standard_D4ds_v5";
pub const DEFAULT_MODE: &str = "hot";
pub const DEFAULT_ROLE: &str = "secondary";
pub const DEFAULT_SKU_TIER: &str = "Standard";

fn computed(name: &'static str, description: &'static str) -> Attr {
    attr(name, Ty::String, Mode::Computed, description)
}

pub fn region_block() -> Block {
    Block {
        description: "One region of the topology, labelled with its Azure region name (e.g. `region \"eastus\" { ... }`). Regions are keyed by name: reordering blocks changes nothing.",
        attributes: vec![
            attr(
                "vnet_cidr",
                Ty::String,
                Mode::Required,
                "Address space of the region's VNet, `/8` to `/24` (a `/16` is typical). Must not overlap another region's (the VNets are peered), nor `172.16.0.0/16`, the clusters' Kubernetes service range. The AKS subnet takes its first half, and must hold the cluster under Azure CNI: 31 addresses a node (itself and 30 pods), the pools counted at their largest (the autoscaler's maximum; a warm region at the size a failover scales it to), plus surge nodes for upgrades; a `/16` holds about a thousand nodes, a `/24` three without room to upgrade. Changes in place (the peerings follow) only while the region has no cluster: Azure refuses to move a subnet with nodes in it, so `terraform plan` stops a change under a running cluster; take the region cold first.",
            ),
            attr(
                "mode",
                Ty::String,
                Mode::OptionalComputed,
                "`hot` (serving traffic, the default), `warm` (cluster running, endpoint disabled: no traffic until failover) or `cold` (network and ingress IP only; the cluster is created on failover). Changing modes is how you fail over and back: the plan shows each region's new `endpoint_status`.",
            ),
            attr(
                "role",
                Ty::String,
                Mode::OptionalComputed,
                "`primary` (the region the topology runs from in normal times; at most one) or `secondary` (a recovery region, the default). The registry's home and the backup storage default to the primary (see `home_region`), Priority routing puts it first among the regions of its mode, and readiness looks for its Azure pair among the others. With no primary the regions are peers.",
            ),
            attr(
                "kubernetes_version",
                Ty::String,
                Mode::OptionalComputed,
                "Kubernetes version of the cluster (`x.y` or `x.y.z`). When unset, AKS picks its default and the state records it. The plan checks it against the versions AKS offers in the region (`az aks get-versions`): an error when the apply would make the cluster, or move it to that version; a warning for a cold region, whose cluster is made at failover, and for a running cluster whose version has since retired. As AKS does, an upgrade moves one minor version at a time (`1.30` to `1.31`, then `1.32`) and never back: a change that skips one or goes back is an error at plan. Upgrades roll across the regions: the standby (warm) clusters first, then each hot region alone, the primary last, each after the one before succeeded; a failed upgrade stops the apply before the next region is touched (allow for it in `timeouts.update`).",
            ),
            attr(
                "node_count",
                Ty::Number,
                Mode::OptionalComputed,
                "Nodes in the cluster's system pool, 1 to 1000. Defaults to 3. Under the autoscaler (`min_count`/`max_count`) leave it unset: the state shows the count the autoscaler last chose.",
            ),
            attr(
                "vm_size",
                Ty::String,
                Mode::OptionalComputed,
                "VM size of the system pool. Defaults to `Standard_D4ds_v5`.",
            ),
            attr(
                "sku_tier",
                Ty::String,
                Mode::OptionalComputed,
                "AKS pricing tier of the cluster: `Standard` (the default: a financially backed uptime SLA for the API server, 99.95% with availability zones, and what Microsoft recommends for production), `Premium` (Standard plus long-term support of Kubernetes versions) or `Free` (no SLA; AKS's own default, for tests). The API server is what every failover step goes through, so `readiness` warns of a Free region, cold ones included (their cluster gets this tier when made). Changes in place.",
            ),
            pools::min_count(1),
            pools::max_count(),
            pools::zones(),
            attr(
                "priority",
                Ty::Number,
                Mode::OptionalComputed,
                "Priority routing: this region's priority, 1 (first) to 1000, unique. When unset, hot regions come first, then warm, then cold, each by name; the plan shows the priority each region gets.",
            ),
            attr(
                "weight",
                Ty::Number,
                Mode::OptionalComputed,
                "Weighted routing: this region's weight, 1 to 1000 (default 1).",
            ),
            attr(
                "geo_mappings",
                Ty::List(Box::new(Ty::String)),
                Mode::Optional,
                "Geographic routing: the codes this region serves (`WORLD`, `GEO-EU`, `US`, `US-CA`, ...). A standby lists exactly the codes of the region it stands in for: regions with the same codes form an area, a Priority profile nested under the Geographic one (hot region enabled, standbys disabled), so each geography fails over on its own. Otherwise a code belongs to one region.",
            ),
            computed(
                "resource_group_id",
                "ARM id of the region's resource group (`rg-<name>-<region>`).",
            ),
            computed("vnet_id", "ARM id of the region's VNet."),
            computed("subnet_id", "ARM id of the AKS subnet."),
            computed(
                "cluster_id",
                "ARM id of the region's AKS cluster (empty for a cold region).",
            ),
            computed("cluster_fqdn", "FQDN of the cluster's API server."),
            computed(
                "cluster_private_fqdn",
                "FQDN of the cluster's private API server, resolvable from the topology's VNets; empty when its API server is public (`private_cluster`).",
            ),
            computed(
                "kubelet_identity_object_id",
                "Object id of the cluster's kubelet identity (the principal that pulls images).",
            ),
            computed(
                "node_resource_group",
                "The resource group AKS manages for the cluster's nodes.",
            ),
            Attr {
                name: "kube_config",
                ty: Ty::String,
                mode: Mode::Computed,
                sensitive: true,
                description: "The cluster's user kubeconfig (YAML) in the `exec` format, empty for a cold region. It holds no secret (nothing in the state is a credential): `kubelogin` gets a token of their own for whoever uses it, who needs an Azure role on the cluster (a member of `admin_group_object_ids`, or a holder of an `Azure Kubernetes Service RBAC` role). Sensitive all the same: Terraform never shows it.",
            },
            computed(
                "host",
                "The cluster API server's URL (`https://<cluster_fqdn>:443`), for the `kubernetes` and `helm` providers' `host`; empty for a cold region.",
            ),
            computed(
                "cluster_ca_certificate",
                "The cluster CA's PEM, base64-encoded: `base64decode()` it for the `kubernetes` and `helm` providers' `cluster_ca_certificate`; empty for a cold region.",
            ),
            attr(
                "exec_args",
                Ty::List(Box::new(Ty::String)),
                Mode::Computed,
                "kubelogin's arguments from the kubeconfig (`get-token --server-id ...`), for an `exec { command = \"kubelogin\" }` block (add `--login` to suit the caller, e.g. `azurecli` or `spn`); empty for a cold region. For a token at apply time without kubelogin, see the `bcdr_kubeconfig` ephemeral resource.",
            ),
            computed(
                "ingress_ip_id",
                "ARM id of the region's static Standard public IP for the cluster's ingress. The cluster identity holds Network Contributor on its resource group.",
            ),
            computed("ingress_ip_address", "The ingress IP address."),
            computed(
                "ingress_fqdn",
                "The ingress IP's DNS name (`<name>-<region>.<region>.cloudapp.azure.com`).",
            ),
            computed(
                "ingress_resource_group",
                "The resource group of the ingress IP: the value of the ingress Service's `service.beta.kubernetes.io/azure-load-balancer-resource-group` annotation.",
            ),
            computed(
                "endpoint_status",
                "The region's Traffic Manager endpoint: `Enabled` (receives traffic) or `Disabled`; empty without a `traffic_manager` block.",
            ),
        ],
        blocks: vec![NestedBlock {
            name: "node_pool",
            nesting: Nesting::Map,
            min_items: 0,
            max_items: 0,
            block: pools::node_pool_block(),
        }],
    }
}

pub fn traffic_manager_block() -> Block {
    Block {
        description: "Global DNS routing with Azure Traffic Manager: one profile in the global resource group with an Azure endpoint per region (its ingress IP). Hot regions' endpoints are enabled; warm and cold ones are disabled and stay so until their mode changes (Traffic Manager on its own never fails back).",
        attributes: vec![
            attr(
                "routing_method",
                Ty::String,
                Mode::Required,
                "`Priority` (active/passive failover), `Performance` (lowest latency), `Weighted` or `Geographic` (by the client's location; with a standby per geography through nested profiles, see `geo_mappings`).",
            ),
            attr(
                "dns_name",
                Ty::String,
                Mode::OptionalComputed,
                "Relative DNS name, globally unique: the profile answers at `<dns_name>.trafficmanager.net`. Defaults to `bcdr-<name>`. Before the profile is made, the plan asks Azure whether the name is free (any subscription's profile may hold it) and stops at this attribute when it is not.",
            ),
            attr(
                "ttl",
                Ty::Number,
                Mode::OptionalComputed,
                "DNS time to live in seconds (default 30): how fast clients follow a failover.",
            ),
            attr(
                "probe_protocol",
                Ty::String,
                Mode::OptionalComputed,
                "Health probe protocol: `HTTPS` (default), `HTTP` or `TCP`.",
            ),
            attr(
                "probe_port",
                Ty::Number,
                Mode::OptionalComputed,
                "Health probe port (default 443).",
            ),
            attr(
                "probe_path",
                Ty::String,
                Mode::OptionalComputed,
                "Health probe path for HTTP(S) (default `/healthz`).",
            ),
            attr(
                "probe_interval",
                Ty::Number,
                Mode::OptionalComputed,
                "Seconds between health probes: `30` (default) or `10` (fast probing, billed extra). With `tolerated_failures` and `ttl`, how soon clients leave a hot region that fails (see `failover_seconds`).",
            ),
            attr(
                "probe_timeout",
                Ty::Number,
                Mode::OptionalComputed,
                "Seconds a probe may take before it counts as failed: 5 to 10 (default 10), at most 9 when `probe_interval` is 10.",
            ),
            attr(
                "tolerated_failures",
                Ty::Number,
                Mode::OptionalComputed,
                "Failed probes in a row Traffic Manager tolerates, 0 to 9 (default 3); the next one marks the region's endpoint Degraded and takes it out of DNS answers.",
            ),
            attr(
                "probe_headers",
                Ty::Map(Box::new(Ty::String)),
                Mode::Optional,
                "Headers every HTTP(S) probe sends, at most 8, e.g. `{ Host = \"shop.example.com\" }`. Without a `Host`, a probe asks for the ingress IP's own name (`ingress_fqdn`), which the application's ingress rules may not serve: the region would look down.",
            ),
            attr(
                "expected_status_codes",
                Ty::List(Box::new(Ty::String)),
                Mode::Optional,
                "Status codes a probe counts as healthy, at most 8 codes or ranges (`[\"200-299\", \"301\"]`); 200 only when unset.",
            ),
            Attr {
                name: "failover_seconds",
                ty: Ty::Number,
                mode: Mode::Computed,
                sensitive: false,
                description: "At most how long clients keep being sent to a hot region that has failed before Traffic Manager sends them to another enabled one: `(tolerated_failures + 1) × probe_interval + probe_timeout + ttl` (160 with the defaults; 25 probing every 10 s with a 5 s timeout, tolerating none, at a `ttl` of 10). Known at plan time. A warm or cold region's endpoint is disabled, so it takes traffic only after a failover (a mode change), whose clients follow within `ttl`.",
            },
            computed("id", "ARM id of the Traffic Manager profile."),
            computed(
                "fqdn",
                "The name clients resolve: `<dns_name>.trafficmanager.net`.",
            ),
        ],
        blocks: vec![],
    }
}

pub fn registry_block() -> Block {
    Block {
        description: "One Premium Azure Container Registry in the global resource group, geo-replicated into every region but its home (which the registry itself serves), every cluster's kubelet identity holding AcrPull on it. An empty block (`registry {}`) is enough.",
        attributes: vec![
            attr(
                "zone_redundancy",
                Ty::Bool,
                Mode::OptionalComputed,
                "Spread the registry and its replicas over availability zones (default false).",
            ),
            attr(
                "public_network_access",
                Ty::Bool,
                Mode::OptionalComputed,
                "Leave the registry reachable from the internet (default false: only each region's private endpoint reaches it, and the admin user and anonymous pull stay off). For a pipeline that pushes from outside the topology's VNets; `readiness` warns while it is on.",
            ),
            computed(
                "name",
                "The registry's name: globally unique, derived from the subscription and the topology name.",
            ),
            computed("id", "ARM id of the registry."),
            computed(
                "login_server",
                "The registry's login server, e.g. `<name>.azurecr.io`.",
            ),
        ],
        blocks: vec![],
    }
}

pub fn front_door_block() -> Block {
    Block {
        description: "Layer-7 global routing with Azure Front Door, instead of Traffic Manager: one profile in the global resource group, an endpoint, an origin group with a health probe, an origin per region (its ingress IP's DNS name) and a route for every path. Hot regions' origins are enabled; warm and cold ones disabled until their mode changes.",
        attributes: vec![
            attr(
                "tier",
                Ty::String,
                Mode::OptionalComputed,
                "`Standard` (default) or `Premium` (Premium can never go back to Standard).",
            ),
            attr(
                "probe_path",
                Ty::String,
                Mode::OptionalComputed,
                "Health probe path (default `/healthz`).",
            ),
            attr(
                "probe_protocol",
                Ty::String,
                Mode::OptionalComputed,
                "Health probe protocol: `Https` (default) or `Http`.",
            ),
            attr(
                "probe_interval",
                Ty::Number,
                Mode::OptionalComputed,
                "Seconds between health probes of each region's origin, 1 to 255 (default 30). Front Door probes from each of its edge locations: a shorter interval finds a failed region sooner and sends the origins more probes.",
            ),
            attr(
                "origin_host_header",
                Ty::String,
                Mode::Optional,
                "The `Host` header Front Door sends to every region's ingress: your application's domain (e.g. `shop.example.com`), the name its ingress rules and TLS certificate serve (Front Door checks the certificate against it). When unset, each region's `ingress_fqdn`.",
            ),
            attr(
                "session_affinity",
                Ty::Bool,
                Mode::OptionalComputed,
                "Keep each client on the region that served it first (default false).",
            ),
            computed("profile_id", "ARM id of the Front Door profile."),
            computed(
                "host_name",
                "The endpoint's host name clients use, `<name>-<hash>.z01.azurefd.net`.",
            ),
        ],
        blocks: vec![NestedBlock {
            name: "waf",
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
            block: waf::waf_block(),
        }],
    }
}

pub fn backup_block() -> Block {
    Block {
        description: "Cluster backups with AKS Backup (Azure's managed Velero): in each region with a running cluster a Backup vault (geo-redundant, Cross Region Restore on), a backup policy, a storage account and container for the backup extension, the extension, trusted access and the roles Microsoft documents; a backup instance for each hot cluster. Also, as before, one geo-redundant storage account in the global resource group with a blob container per cluster, for copies of your own. An empty block (`backup {}`) is enough; it needs a hot or warm region.",
        attributes: vec![
            attr(
                "redundancy",
                Ty::String,
                Mode::OptionalComputed,
                "`RA-GRS` (default), `GRS`, `RA-GZRS` or `GZRS`: every option replicates to the paired region. With `RA-` the copy there can be read at once (`secondary_blob_endpoint`), so the recovery region restores while the home region is down; without, only after a storage account failover, and `readiness` warns.",
            ),
            computed("storage_account_id", "ARM id of the storage account."),
            computed(
                "secondary_region",
                "The region Azure replicates the backups to (the home region's pair).",
            ),
            computed(
                "blob_endpoint",
                "The storage account's blob endpoint (for the backup tool, e.g. Velero's `storageAccountURI`).",
            ),
            computed(
                "secondary_blob_endpoint",
                "The read-only blob endpoint of the copy in `secondary_region` (`https://<account>-secondary.blob.core.windows.net/`): where the recovery region restores from while the home region is down. Empty without read access (`GRS`, `GZRS`).",
            ),
            attr(
                "containers",
                Ty::Map(Box::new(Ty::String)),
                Mode::Computed,
                "The blob container of each region's cluster, by region.",
            ),
        ]
        .into_iter()
        .chain(backup::attributes())
        .collect(),
        blocks: vec![backup::restore()],
    }
}

pub fn stateful_service_block() -> Block {
    Block {
        description: "A stateful service the application uses, labelled with its name (`stateful_service \"orders-db\" { ... }`), so `readiness` can say where state would be lost with a region. Nothing is created for it.",
        attributes: vec![
            attr(
                "kind",
                Ty::String,
                Mode::Required,
                "`in-cluster` (a StatefulSet or volume: lost with its region unless backed up) or `managed` (a service outside the clusters).",
            ),
            attr(
                "geo_replicated",
                Ty::Bool,
                Mode::OptionalComputed,
                "For a managed service: whether it replicates to another region. Defaults to false.",
            ),
        ],
        blocks: vec![],
    }
}

pub fn timeouts_block() -> Block {
    Block {
        description: "Time limits, as durations such as `30m` or `1h30m`. When one runs out, no further ARM operation starts; what finished stays, and the next apply continues from there (operations already running in Azure finish there and are adopted). A create that fails or runs out saves nothing to the state, so that Terraform does not taint it and replace the topology: the next apply adopts what was made by its names and tags.",
        attributes: vec![
            attr(
                "create",
                Ty::String,
                Mode::Optional,
                "Limit for creating the topology (default `90m`).",
            ),
            attr(
                "update",
                Ty::String,
                Mode::Optional,
                "Limit for an update, failover included (default `90m`).",
            ),
            attr(
                "delete",
                Ty::String,
                Mode::Optional,
                "Limit for destroying the topology (default `60m`).",
            ),
            attr(
                "read",
                Ty::String,
                Mode::Optional,
                "Limit for a refresh (default `10m`).",
            ),
        ],
        blocks: vec![],
    }
}

pub fn resource() -> Block {
    Block {
        description: "A multi-region AKS business-continuity / disaster-recovery topology, as Microsoft's AKS BC/DR guidance describes it: a resource group per region plus a global one; per region a VNet, a static Standard ingress IP and (unless cold) an AKS cluster with the Standard load balancer whose identity may use that IP; global VNet peering between every pair of regions; and optionally Traffic Manager in front. Every Azure resource is named deterministically from `name` and tagged `bcdr-topology = <name>`.",
        attributes: vec![
            computed(
                "id",
                "ARM id of the topology's global resource group (`rg-<name>-global`). Also the import id.",
            ),
            attr(
                "name",
                Ty::String,
                Mode::Required,
                "Name every Azure resource derives from: 2-24 lowercase letters, digits and hyphens, starting with a letter. Changing it replaces the topology.",
            ),
            attr(
                "home_region",
                Ty::String,
                Mode::OptionalComputed,
                "The region the registry's home and the backup storage account live in: the primary region when unset, else the first region by name. It never moves once they exist, even if that region leaves the topology. Their resource group lives elsewhere (`global_group_region`).",
            ),
            attr(
                "global_group_region",
                Ty::String,
                Mode::OptionalComputed,
                "The region of the global resource group (which holds the Traffic Manager or Front Door profile, the WAF policy, the registry and the backup storage account; their own locations do not change with it). Azure keeps a group's metadata in the group's region and may refuse writes to its resources while that region is down, so a group in one of the topology's regions could block the failover away from that region. Unset: a region outside the topology's regions, near `home_region` (its Azure pair, else another region's pair, else the nearest region), known after apply. It never moves once the group exists: a group made in one of the topology's regions by an earlier version stays there, and `readiness` warns (the disaster-recovery guide says how to move it).",
            ),
            attr(
                "peering_hub",
                Ty::String,
                Mode::Optional,
                "Hub and spoke: every region's VNet peers with this region's only, instead of every pair of regions (full mesh, the default). Spokes then reach each other only through the hub.",
            ),
            attr(
                "admin_group_object_ids",
                Ty::List(Box::new(Ty::String)),
                Mode::Optional,
                "Entra ID groups (object IDs) whose members administer every cluster. Every cluster uses Entra ID with Azure RBAC for Kubernetes authorization, the OIDC issuer and workload identity (AKS cannot turn managed Entra ID off once it is on); members get a kubeconfig without a secret, `kubelogin` gets each one a token of their own.",
            ),
            attr(
                "api_server_authorized_ip_ranges",
                Ty::List(Box::new(Ty::String)),
                Mode::Optional,
                "The only IPv4 addresses or CIDR ranges that may reach every cluster's API server; any address when unset. Include wherever failovers are applied from (the pipeline's runners, the operators' networks): an apply from elsewhere cannot reach the new region's cluster. Changing it is an update in place.",
            ),
            attr(
                "local_accounts",
                Ty::Bool,
                Mode::Optional,
                "Local accounts: a static admin kubeconfig that bypasses Entra ID and Azure RBAC. Off unless `true` (the AKS baseline asks for them off; `readiness` warns when on). Turning them off on a running cluster is an update in place.",
            ),
            attr(
                "network_policy",
                Ty::String,
                Mode::OptionalComputed,
                "The engine enforcing Kubernetes network policies on every cluster: `calico` (the default), `azure` (Azure Network Policy Manager, which AKS is retiring; `readiness` warns) or `none` (`readiness` warns). Installing or removing an engine re-images every node of a cluster, so existing clusters get it region by region: the standby regions first, then each serving region alone, the primary last. AKS does not swap one engine for another: set `none`, apply, then the new one.",
            ),
            attr(
                "private_cluster",
                Ty::Bool,
                Mode::Optional,
                "Private API servers: clusters made from now on get a private endpoint for their API server in their VNet, reachable from the topology's VNets (and what is peered or connected to them), so the pipeline that applies failovers must run there. AKS fixes this when it makes a cluster: a cluster that exists keeps its public API server (the plan changes nothing) until it is made anew, region by region behind a failover: move traffic away from the region, set its `mode = \"cold\"` and apply, then set the mode back.",
            ),
            attr(
                "peerings",
                Ty::Map(Box::new(Ty::String)),
                Mode::Computed,
                "Global VNet peering state (`Initiated`, `Connected`, `Disconnected`) by link, keyed `\"<from>-><to>\"`.",
            ),
            attr(
                "readiness",
                Ty::List(Box::new(Ty::String)),
                Mode::Computed,
                "The topology checked against Microsoft's AKS BC/DR guidance, one line per check (`PASS`, `WARN` or `FAIL`, the check, what to do). Known at plan time.",
            ),
            attr(
                "diagram",
                Ty::String,
                Mode::Computed,
                "The topology as a Mermaid flowchart (routing, registry, regions with their modes, peerings). Known at plan time.",
            ),
            attr(
                "drift",
                Ty::List(Box::new(Ty::String)),
                Mode::Computed,
                "What the last refresh found different in Azure from the topology (one line per resource). Empty after apply; a non-empty list plans a repair.",
            ),
        ],
        blocks: vec![
            NestedBlock {
                name: "region",
                nesting: Nesting::Map,
                min_items: 0,
                max_items: 0,
                block: region_block(),
            },
            NestedBlock {
                name: "traffic_manager",
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 0,
                block: traffic_manager_block(),
            },
            NestedBlock {
                name: "registry",
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 0,
                block: registry_block(),
            },
            NestedBlock {
                name: "front_door",
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 0,
                block: front_door_block(),
            },
            NestedBlock {
                name: "backup",
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 0,
                block: backup_block(),
            },
            NestedBlock {
                name: "database",
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 0,
                block: database::database_block(),
            },
            NestedBlock {
                name: "stateful_service",
                nesting: Nesting::Map,
                min_items: 0,
                max_items: 0,
                block: stateful_service_block(),
            },
            NestedBlock {
                name: "timeouts",
                nesting: Nesting::Single,
                min_items: 0,
                max_items: 0,
                block: timeouts_block(),
            },
        ],
    }
}
