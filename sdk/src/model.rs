//! The topology model: pure data, serde, builder-friendly. What the user wants, not what Azure has.

use serde::{Deserialize, Serialize};

mod access;
mod backup;
mod cluster;
mod database;
mod waf;
pub use access::{ClusterAccess, NetworkPolicy};
pub use backup::{Backup, StorageRedundancy};
pub use cluster::{Autoscale, ClusterSettings, ClusterTier, NodePool};
pub use database::{DATABASE_VERSIONS, Database, DatabaseTier};
pub use waf::{Waf, WafCustomRule, WafManagedRuleSet, WafMatchCondition, WafMode, WafRateLimit};

/// A multi-region AKS BC/DR topology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Topology {
    /// Short name all Azure names derive from: 2-24 lowercase letters, digits and hyphens.
    pub name: String,
    /// The regions; a set keyed by region name (order carries no meaning).
    pub regions: Vec<Region>,
    /// Global DNS routing in front of the regions' ingress IPs; none when `None`.
    pub traffic_manager: Option<TrafficManager>,
    /// One Premium container registry, geo-replicated into every region; none when `None`.
    pub registry: Option<Registry>,
    /// Where the global resources live (the global group, the registry's home): the first region by
    /// name when unset. It never moves once they exist: the SDK keeps the location Azure reports.
    pub home_region: Option<String>,
    /// Where the global resource group itself lives: Azure keeps a group's metadata in its region and
    /// refuses writes to the group's resources while that region is down, so the group (and with it
    /// the routing profile a failover writes) belongs outside the topology's regions. Unset: chosen
    /// outside them ([`crate::layout::global_group_location`]). It never moves once the group exists.
    pub global_group_region: Option<String>,
    /// Geo-redundant storage for cluster backups (a container per cluster); none when `None`.
    pub backup: Option<Backup>,
    /// Layer-7 global routing with Front Door, instead of Traffic Manager; none when `None`.
    pub front_door: Option<FrontDoor>,
    /// The stateful services the application uses, so readiness can say where state would be lost.
    pub stateful_services: Vec<StatefulService>,
    /// Hub and spoke: every region's VNet peers with this region's only. `None` peers every pair
    /// (full mesh).
    pub peering_hub: Option<String>,
    /// How the clusters are reached: Entra ID with Azure RBAC, local accounts off by default.
    #[serde(default)]
    pub access: ClusterAccess,
    /// A PostgreSQL flexible server failing over with the traffic; none when `None`.
    #[serde(default)]
    pub database: Option<Database>,
}

impl Topology {
    /// The largest system-pool node count among the hot regions (0 without one): what a warm region
    /// takes the load of at failover.
    pub fn largest_hot_node_count(&self) -> u32 {
        self.regions
            .iter()
            .filter(|r| r.mode == RegionMode::Hot)
            .map(|r| r.cluster.node_count)
            .max()
            .unwrap_or(0)
    }

    /// A topology named `name` with no region yet and nothing global (no routing, registry or backup).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            regions: Vec::new(),
            traffic_manager: None,
            registry: None,
            home_region: None,
            global_group_region: None,
            backup: None,
            front_door: None,
            stateful_services: Vec::new(),
            peering_hub: None,
            access: ClusterAccess::default(),
            database: None,
        }
    }

    /// Sets how the clusters are reached (see [`ClusterAccess`]).
    #[must_use]
    pub fn access(mut self, access: ClusterAccess) -> Self {
        self.access = access;
        self
    }

    #[must_use]
    /// Puts the global resource group in `region` (see [`Topology::global_group_region`]).
    pub fn global_group_region(mut self, region: impl Into<String>) -> Self {
        self.global_group_region = Some(region.into());
        self
    }

    /// Peers every region with `hub` only (hub and spoke) instead of every pair.
    pub fn peering_hub(mut self, hub: impl Into<String>) -> Self {
        self.peering_hub = Some(hub.into());
        self
    }

    /// Whether the VNets of regions `a` and `b` are peered (full mesh, or one of them the hub).
    pub fn peered(&self, a: &str, b: &str) -> bool {
        a != b
            && self
                .peering_hub
                .as_deref()
                .is_none_or(|hub| hub == a || hub == b)
    }

    /// Declares a stateful service the application uses.
    #[must_use]
    pub fn stateful_service(mut self, service: StatefulService) -> Self {
        self.stateful_services.push(service);
        self
    }

    /// Routes traffic to the regions with Front Door.
    #[must_use]
    pub fn front_door(mut self, front_door: FrontDoor) -> Self {
        self.front_door = Some(front_door);
        self
    }

    /// Adds geo-redundant backup storage.
    #[must_use]
    pub fn backup(mut self, backup: Backup) -> Self {
        self.backup = Some(backup);
        self
    }

    /// Adds the geo-replicated registry.
    #[must_use]
    pub fn registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Routes traffic to the regions with Traffic Manager.
    #[must_use]
    pub fn traffic_manager(mut self, tm: TrafficManager) -> Self {
        self.traffic_manager = Some(tm);
        self
    }

    /// Adds a region.
    #[must_use]
    pub fn region(mut self, region: Region) -> Self {
        self.regions.push(region);
        self
    }

    /// Regions sorted by name: the order every plan and output uses.
    pub fn sorted_regions(&self) -> Vec<&Region> {
        let mut regions: Vec<&Region> = self.regions.iter().collect();
        regions.sort_by(|a, b| a.name.cmp(&b.name));
        regions
    }

    /// The region marked [`RegionRole::Primary`], if one is (the first by name, should validation
    /// have been skipped with several).
    pub fn primary(&self) -> Option<&Region> {
        self.sorted_regions()
            .into_iter()
            .find(|r| r.role == RegionRole::Primary)
    }
}

/// One region of the topology: its network and its cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Region {
    /// Azure region name, e.g. `eastus`.
    pub name: String,
    /// The VNet's address space, e.g. `10.1.0.0/16` (/8 to /24); must not overlap another region's.
    pub vnet_cidr: String,
    /// Hot serves traffic; warm runs but receives none; cold has network and ingress IP only.
    pub mode: RegionMode,
    /// Primary (the region run from in normal times) or secondary (a recovery region, the default).
    #[serde(default)]
    pub role: RegionRole,
    /// The region's AKS cluster: version, node pools, autoscaling, zones (ignored when the region is cold).
    pub cluster: ClusterSettings,
    /// How the region's endpoint takes part in global routing.
    pub endpoint: EndpointSettings,
}

impl Region {
    /// A hot, secondary region `name` (an Azure region such as `eastus`) whose VNet is `vnet_cidr`.
    pub fn new(name: impl Into<String>, vnet_cidr: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            vnet_cidr: vnet_cidr.into(),
            mode: RegionMode::Hot,
            role: RegionRole::Secondary,
            cluster: ClusterSettings::default(),
            endpoint: EndpointSettings::default(),
        }
    }

    /// Sets the region's mode (hot, warm or cold).
    #[must_use]
    pub fn mode(mut self, mode: RegionMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the region's role (primary or secondary).
    #[must_use]
    pub fn role(mut self, role: RegionRole) -> Self {
        self.role = role;
        self
    }

    /// Sets how the region's endpoint takes part in global routing.
    #[must_use]
    pub fn endpoint(mut self, endpoint: EndpointSettings) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Sets the region's cluster settings.
    #[must_use]
    pub fn with_cluster(mut self, cluster: ClusterSettings) -> Self {
        self.cluster = cluster;
        self
    }
}

/// The guidance's three standby levels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionMode {
    /// Running and receiving traffic.
    #[default]
    Hot,
    /// Running (usually scaled down), not receiving traffic until failover.
    Warm,
    /// Network and ingress IP only; the cluster is created on failover.
    Cold,
}

impl RegionMode {
    /// Every mode, hot first.
    pub const ALL: [Self; 3] = [Self::Hot, Self::Warm, Self::Cold];

    /// The mode named `s` (`hot`, `warm`, `cold`, any case); `None` for another word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }

    /// The mode's name as Terraform and the status spell it (`hot`, `warm`, `cold`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hot => "hot",
            Self::Warm => "warm",
            Self::Cold => "cold",
        }
    }

    /// Whether the region runs a cluster.
    pub fn has_cluster(self) -> bool {
        self != Self::Cold
    }
}

/// A region's part in the topology, as the guidance names them: one primary region and its secondary
/// (recovery) regions. Modes say what runs where now; the role says where the topology belongs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionRole {
    /// The region the topology runs from in normal times: the global resources default there,
    /// Priority routing puts it first among the regions of its mode, and readiness looks for its
    /// Azure pair among the others. At most one region is primary.
    Primary,
    /// A recovery region (the default). With no primary at all, the regions are peers.
    #[default]
    Secondary,
}

impl RegionRole {
    /// Every role, primary first.
    pub const ALL: [Self; 2] = [Self::Primary, Self::Secondary];

    /// The role named `s` (`primary`, `secondary`, any case); `None` for another word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }

    /// The role's name as Terraform spells it (`primary`, `secondary`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Secondary => "secondary",
        }
    }
}

/// A region's part in global routing (each setting is used by one routing method).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EndpointSettings {
    /// Priority routing: 1 (first) to 1000; assigned hot first, then by name, when unset.
    pub priority: Option<u32>,
    /// Weighted routing: 1 to 1000 (default 1).
    pub weight: Option<u32>,
    /// Geographic routing: codes such as `WORLD`, `GEO-EU`, `US`, `US-CA`; each used by one region.
    pub geo_mappings: Vec<String>,
}

impl EndpointSettings {
    /// Sets the endpoint's priority under Priority routing (1 first, to 1000).
    #[must_use]
    pub fn priority(mut self, p: u32) -> Self {
        self.priority = Some(p);
        self
    }

    /// Sets the endpoint's weight under Weighted routing (1 to 1000).
    #[must_use]
    pub fn weight(mut self, w: u32) -> Self {
        self.weight = Some(w);
        self
    }

    /// Sets the geographic codes the region serves under Geographic routing.
    #[must_use]
    pub fn geo_mappings(mut self, codes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.geo_mappings = codes.into_iter().map(Into::into).collect();
        self
    }
}

/// Traffic Manager routing methods the topology supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoutingMethod {
    /// Each client goes to the region with the lowest network latency from it.
    Performance,
    /// Every client goes to the enabled region with the lowest priority number; the next one takes over when it fails.
    Priority,
    /// Clients are spread over the regions in proportion to their weights.
    Weighted,
    /// Each client goes to the region that serves its geography (`geo_mappings`).
    Geographic,
}

impl RoutingMethod {
    /// Every routing method.
    pub const ALL: [Self; 4] = [
        Self::Performance,
        Self::Priority,
        Self::Weighted,
        Self::Geographic,
    ];

    /// The method's name as Traffic Manager's `trafficRoutingMethod` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Performance => "Performance",
            Self::Priority => "Priority",
            Self::Weighted => "Weighted",
            Self::Geographic => "Geographic",
        }
    }

    /// The method named `s` (any case); `None` for another word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// A Traffic Manager profile in front of the regions' ingress IPs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrafficManager {
    /// How Traffic Manager picks a region for each DNS query.
    pub routing_method: RoutingMethod,
    /// The relative DNS name (`<dns_name>.trafficmanager.net`), globally unique; `bcdr-<topology>` when unset.
    pub dns_name: Option<String>,
    /// DNS TTL in seconds.
    pub ttl: u32,
    /// Health probe: `HTTP`, `HTTPS` or `TCP`, port and path.
    pub probe_protocol: String,
    /// The port probed on each region's ingress IP (443 by default).
    pub probe_port: u16,
    /// The path an HTTP(S) probe asks for (`/healthz` by default); unused by TCP probes.
    pub probe_path: String,
    /// Seconds between health probes: 30 (normal) or 10 (fast probing, billed extra).
    #[serde(default = "probe_defaults::interval")]
    pub probe_interval: u32,
    /// Seconds a probe may take: 5 to 10, and below the interval when probing every 10 s.
    #[serde(default = "probe_defaults::timeout")]
    pub probe_timeout: u32,
    /// Failed probes in a row Traffic Manager tolerates; the next one marks the endpoint Degraded
    /// and takes it out of DNS answers. 0 to 9.
    #[serde(default = "probe_defaults::tolerated_failures")]
    pub tolerated_failures: u32,
    /// Headers every HTTP(S) probe sends (at most 8), e.g. the `Host` the ingress routes on: the
    /// probe otherwise asks for the endpoint's own name, which the application's ingress rules may
    /// not serve, and the region is marked Degraded.
    #[serde(default)]
    pub probe_headers: std::collections::BTreeMap<String, String>,
    /// Status codes a probe counts as healthy (at most 8 ranges, `200-299` or `301`); `200` only when
    /// empty.
    #[serde(default)]
    pub expected_status_codes: Vec<String>,
}

/// Traffic Manager's own defaults for endpoint monitoring.
mod probe_defaults {
    pub fn interval() -> u32 {
        30
    }
    pub fn timeout() -> u32 {
        10
    }
    pub fn tolerated_failures() -> u32 {
        3
    }
}

impl TrafficManager {
    /// A profile routing by `routing_method`, with Traffic Manager's usual probing (HTTPS on 443, `/healthz`, every 30 s) and a 30 s TTL.
    pub fn new(routing_method: RoutingMethod) -> Self {
        Self {
            routing_method,
            dns_name: None,
            ttl: 30,
            probe_protocol: "HTTPS".into(),
            probe_port: 443,
            probe_path: "/healthz".into(),
            probe_interval: probe_defaults::interval(),
            probe_timeout: probe_defaults::timeout(),
            tolerated_failures: probe_defaults::tolerated_failures(),
            probe_headers: std::collections::BTreeMap::new(),
            expected_status_codes: Vec::new(),
        }
    }

    /// Adds a header every probe sends (`Host` for the ingress, say).
    #[must_use]
    pub fn probe_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.probe_headers.insert(name.into(), value.into());
        self
    }

    /// Status code ranges a probe counts as healthy (`200-299`, `301`).
    #[must_use]
    pub fn expected_status_codes(
        mut self,
        ranges: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.expected_status_codes = ranges.into_iter().map(Into::into).collect();
        self
    }

    /// `expected_status_codes` as (min, max) pairs; `None` for an entry that is not `NNN` or
    /// `NNN-NNN`.
    pub fn status_code_ranges(&self) -> Vec<Option<(u16, u16)>> {
        self.expected_status_codes
            .iter()
            .map(|r| {
                let (min, max) = r.split_once('-').unwrap_or((r, r));
                Some((min.trim().parse().ok()?, max.trim().parse().ok()?))
            })
            .collect()
    }

    /// How often to probe, how long a probe may take, and how many failures in a row to tolerate.
    #[must_use]
    pub fn probing(mut self, interval: u32, timeout: u32, tolerated_failures: u32) -> Self {
        self.probe_interval = interval;
        self.probe_timeout = timeout;
        self.tolerated_failures = tolerated_failures;
        self
    }

    /// At most how long clients keep being sent to a hot region that has failed: the probes until
    /// its endpoint is Degraded (`tolerated_failures + 1` intervals when it fails just after a probe
    /// passed, the last failure known once its `probe_timeout` has passed: a region that is down does
    /// not answer), then the DNS TTL until clients resolve again. 160 s with the defaults; 25 s
    /// probing every 10 s with a 5 s timeout, tolerating none, at a 10 s TTL.
    pub fn failover_seconds(&self) -> u32 {
        (self.tolerated_failures + 1) * self.probe_interval + self.probe_timeout + self.ttl
    }

    /// Sets the relative DNS name (`<name>.trafficmanager.net`) instead of `bcdr-<topology>`.
    #[must_use]
    pub fn dns_name(mut self, name: impl Into<String>) -> Self {
        self.dns_name = Some(name.into());
        self
    }

    /// The relative DNS name in effect.
    pub fn relative_name(&self, topology: &str) -> String {
        self.dns_name
            .clone()
            .unwrap_or_else(|| format!("bcdr-{topology}"))
    }
}

/// A Premium Azure Container Registry in the global resource group (its home is the global group's
/// region), replicated into every other region, every cluster's kubelet identity allowed to pull.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Registry {
    /// Spread the registry and its replicas over availability zones.
    pub zone_redundancy: bool,
    /// Leave the registry reachable from the internet (for a pipeline that pushes from outside the
    /// topology's VNets). Off by default: only the regions' private endpoints reach it.
    #[serde(default)]
    pub public_network_access: bool,
}

/// Azure Front Door (Standard or Premium) in front of the regions: one endpoint, one origin group with a
/// health probe, an origin per region (its ingress IP), a route for every path. Hot regions' origins
/// are enabled; warm and cold ones disabled until their mode changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FrontDoor {
    /// Front Door Premium (which Microsoft's managed WAF rule sets need) instead of Standard.
    pub premium: bool,
    /// The path probed on every region's ingress (`/healthz` by default).
    pub probe_path: String,
    /// `Http` or `Https`.
    pub probe_protocol: String,
    /// Keep a client on the origin that served it first (a cookie).
    pub session_affinity: bool,
    /// A web application firewall on the endpoint; none when `None`.
    pub waf: Option<Waf>,
    /// Seconds between health probes of each origin, 1 to 255 (from every edge location: shorter
    /// finds a failed region sooner, and sends the origins more probes).
    #[serde(default = "default_fd_probe_interval")]
    pub probe_interval: u32,
    /// The `Host` header Front Door sends to every region's ingress, e.g. the application's domain
    /// (the name its ingress rules and TLS certificate serve). Each region's ingress IP DNS name when
    /// `None`.
    #[serde(default)]
    pub origin_host_header: Option<String>,
}

fn default_fd_probe_interval() -> u32 {
    30
}

impl FrontDoor {
    /// Puts a WAF policy in front of the endpoint.
    #[must_use]
    pub fn waf(mut self, waf: Waf) -> Self {
        self.waf = Some(waf);
        self
    }
}

impl Default for FrontDoor {
    fn default() -> Self {
        Self {
            premium: false,
            probe_path: "/healthz".into(),
            probe_protocol: "Https".into(),
            session_affinity: false,
            waf: None,
            probe_interval: default_fd_probe_interval(),
            origin_host_header: None,
        }
    }
}

/// Where an application keeps some state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateLocation {
    /// Inside a cluster (a StatefulSet, a volume): lost with the region unless backed up elsewhere.
    InCluster,
    /// A managed service outside the clusters (a database, a cache, storage).
    Managed {
        /// Whether the service keeps a copy in another region (geo-replication), so a region's loss
        /// does not lose the state.
        geo_replicated: bool,
    },
}

/// A stateful service the application depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatefulService {
    /// The service's name, as readiness reports it.
    pub name: String,
    /// Where the service keeps its state.
    pub location: StateLocation,
}

impl StatefulService {
    /// A stateful service `name` whose state lives at `location`.
    pub fn new(name: impl Into<String>, location: StateLocation) -> Self {
        Self {
            name: name.into(),
            location,
        }
    }
}
