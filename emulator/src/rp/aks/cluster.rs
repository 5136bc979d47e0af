//! `Microsoft.ContainerService/managedClusters`: validation as AKS does it, read-only properties
//! (fqdn, node resource group, identities, power state), PUT and DELETE as long-running operations.
//! Node pools (in `agentPoolProfiles` or as children) follow `agent_pool`.

use super::CLUSTER_TYPE;
use super::pools::{any_busy, with_children};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, method_not_allowed, not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use axum::http::Method;
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.ContainerService/ManagedClusters";

fn invalid(target: &str, message: String) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(target)
}

fn valid_cluster_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

/// The pricing tier: `sku.name` `Base` with `sku.tier` `Free`, `Standard` or `Premium`. `Basic`, the
/// name before 2023-02-01, is still taken: the spec's own examples at this api-version send it. `Paid`,
/// the tier that became `Standard` then, is refused in AKS's words for the names that changed
/// (hashicorp/terraform-provider-azurerm#20887, MicrosoftDocs/azure-docs#107451 quote them for the
/// other direction; that new api-versions refuse the old tier name is not confirmed).
fn sku(body: &Value) -> Result<(), ArmError> {
    let refused = |value: &str, field: &str, hint: String| {
        Err(ArmError::bad_request(
            "SkuNotAvailable",
            format!("{value} managed cluster SKU {field} is invalid. {hint}"),
        )
        .with_target(format!("sku.{field}")))
    };
    if let Some(name) = body["sku"]["name"].as_str()
        && !["Base", "Basic"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
    {
        return refused(name, "name", "The name must be 'Base'.".to_owned());
    }
    if let Some(tier) = body["sku"]["tier"].as_str()
        && !TIERS.iter().any(|t| t.eq_ignore_ascii_case(tier))
    {
        let hint = if tier.eq_ignore_ascii_case("Paid") {
            "'Paid' has been replaced by 'Standard' since v2023-02-01.".to_owned()
        } else {
            format!("The tier must be one of {}.", TIERS.join(", "))
        };
        return refused(tier, "tier", hint);
    }
    Ok(())
}

const TIERS: [&str; 3] = ["Free", "Standard", "Premium"];

fn validate(
    ctx: &Ctx<'_>,
    name: &str,
    body: &Value,
    existing: Option<&Resource>,
) -> Result<(), ArmError> {
    if !valid_cluster_name(name) {
        return Err(invalid(
            "resourceName",
            format!(
                "The value of parameter resourceName is invalid: '{name}'. It must be 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit."
            ),
        ));
    }
    sku(body)?;
    let props = &body["properties"];
    let pools = props["agentPoolProfiles"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if pools.is_empty() {
        return Err(invalid(
            "agentPoolProfiles",
            "The cluster must have at least one agent pool.".into(),
        ));
    }
    if !pools.iter().any(|p| {
        p["mode"]
            .as_str()
            .is_none_or(|m| m.eq_ignore_ascii_case("System"))
    }) {
        return Err(invalid(
            "agentPoolProfiles",
            "The cluster must have at least one agent pool in System mode.".into(),
        ));
    }
    for (i, pool) in pools.iter().enumerate() {
        let pool_name = pool["name"].as_str().unwrap_or_default();
        if !crate::rp::aks::pools::valid_name(pool_name) {
            return Err(invalid(
                &format!("agentPoolProfiles[{i}].name"),
                format!(
                    "The agent pool name '{pool_name}' is invalid: it must start with a lowercase letter and contain only lowercase letters and numbers, at most 12 characters."
                ),
            ));
        }
        let before = existing.and_then(|c| {
            c.body["properties"]["agentPoolProfiles"]
                .as_array()?
                .iter()
                .find(|p| p["name"].as_str() == Some(pool_name))
        });
        crate::rp::aks::pools::check(pool, &format!("agentPoolProfiles[{i}]."), before)?;
        if let Some(subnet) = pool["vnetSubnetID"].as_str()
            && crate::rp::network::subnet_of(ctx.state, subnet).is_none()
        {
            return Err(ArmError::bad_request(
                "InvalidSubnet",
                format!("The subnet '{subnet}' of agent pool '{pool_name}' could not be found."),
            )
            .with_target(format!("agentPoolProfiles[{i}].vnetSubnetID")));
        }
    }
    // Every pool the cluster would have: these, and the user pools written on their own.
    let mut all: Vec<Value> = pools.to_vec();
    if let Some(old) = existing {
        let current = crate::rp::aks::pools::with_children(ctx.state, old);
        for pool in current["properties"]["agentPoolProfiles"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if !all.iter().any(|p| p["name"] == pool["name"]) {
                all.push(pool.clone());
            }
        }
    }
    let network = match (&props["networkProfile"], existing) {
        (Value::Null, Some(old)) => &old.body["properties"]["networkProfile"],
        (profile, _) => profile,
    };
    crate::rp::aks::cni::check(ctx, network, &all)?;
    if props["networkProfile"]["loadBalancerSku"]
        .as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("basic"))
    {
        return Err(invalid(
            "networkProfile.loadBalancerSku",
            "Basic load balancer is not supported: use the Standard load balancer.".into(),
        ));
    }
    if let Some(old) = existing {
        for key in ["dnsPrefix", "fqdnSubdomain"] {
            if props.get(key).is_some() && old.body["properties"][key] != props[key] {
                return Err(ArmError::bad_request(
                    "PropertyChangeNotAllowed",
                    format!("Changing property '{key}' is not allowed."),
                )
                .with_target(key));
            }
        }
    } else if props["dnsPrefix"].as_str().is_none() && props["fqdnSubdomain"].as_str().is_none() {
        return Err(invalid(
            "dnsPrefix",
            "Either dnsPrefix or fqdnSubdomain must be given.".into(),
        ));
    }
    Ok(())
}

fn render(
    ctx: &Ctx<'_>,
    id: &str,
    name: &str,
    rg: &str,
    location: &str,
    body: &Value,
    existing: Option<&Resource>,
) -> Value {
    let props = &body["properties"];
    let old = existing.map(|r| &r.body);
    let keep = |key: &str, make: &dyn Fn() -> Value| {
        old.map(|o| o["properties"][key].clone())
            .filter(|v| !v.is_null())
            .unwrap_or_else(make)
    };
    let dns_prefix = props["dnsPrefix"].as_str().unwrap_or(name).to_owned();
    let fqdn = keep("fqdn", &|| {
        json!(format!(
            "{dns_prefix}-{}.hcp.{location}.azmk8s.io",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ))
    });
    let node_rg = props["nodeResourceGroup"]
        .as_str()
        .map_or_else(|| format!("MC_{rg}_{name}_{location}"), str::to_owned);
    let version = props["kubernetesVersion"]
        .as_str()
        .unwrap_or(crate::rp::aks::versions::DEFAULT)
        .to_owned();
    let kubelet = keep("identityProfile", &|| {
        json!({ "kubeletidentity": {
            "resourceId": format!("/subscriptions/{}/resourcegroups/{node_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}-agentpool", ctx.subscription),
            "clientId": uuid::Uuid::new_v4().to_string(),
            "objectId": uuid::Uuid::new_v4().to_string(),
        }})
    });
    let mut network = props["networkProfile"].clone();
    if !network.is_object() {
        network = json!({});
    }
    network["loadBalancerSku"] = json!(
        network["loadBalancerSku"]
            .as_str()
            .map_or("standard".to_owned(), str::to_ascii_lowercase)
    );
    if network["networkPlugin"].is_null() {
        network["networkPlugin"] = json!("kubenet");
    }
    // AKS's defaults, as its answers show them (aks-create #0).
    if network["serviceCidr"].is_null() {
        network["serviceCidr"] = json!(super::cni::DEFAULT_SERVICE_CIDR);
        network["dnsServiceIP"] = json!("10.0.0.10");
    }
    if network["podCidr"].is_null() && network["networkPlugin"] == "kubenet" {
        network["podCidr"] = json!("10.244.0.0/16");
    }
    if network["outboundType"].is_null() {
        network["outboundType"] = json!("loadBalancer");
    }
    let pools: Vec<Value> = props["agentPoolProfiles"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| crate::rp::aks::pools::rendered(p, &version))
        .collect();
    let identity = match old.map(|o| o["identity"].clone()).filter(|v| !v.is_null()) {
        Some(identity) => identity,
        None => {
            json!({ "type": "SystemAssigned", "principalId": uuid::Uuid::new_v4().to_string(), "tenantId": uuid::Uuid::new_v4().to_string() })
        }
    };
    let mut properties = props.clone();
    for (key, value) in [
        ("provisioningState", json!("Creating")),
        ("powerState", json!({ "code": "Running" })),
        ("kubernetesVersion", json!(version)),
        ("currentKubernetesVersion", json!(version)),
        ("dnsPrefix", json!(dns_prefix)),
        ("fqdn", fqdn),
        (
            "azurePortalFQDN",
            json!(format!("{dns_prefix}-portal.hcp.{location}.azmk8s.io")),
        ),
        ("agentPoolProfiles", json!(pools)),
        ("nodeResourceGroup", json!(node_rg)),
        (
            "enableRBAC",
            json!(props["enableRBAC"].as_bool().unwrap_or(true)),
        ),
        ("maxAgentPools", json!(100)),
        ("networkProfile", network),
        ("identityProfile", kubelet),
    ] {
        properties[key] = value;
    }
    json!({
        "id": id,
        "name": name,
        "type": TYPE,
        "location": location,
        "tags": body.get("tags").cloned().unwrap_or_else(|| json!({})),
        "identity": identity,
        "sku": rendered_sku(body),
        "properties": properties,
    })
}

/// The sku as AKS answers it: `Base`/`Free` when none was sent, the tier in AKS's spelling.
fn rendered_sku(body: &Value) -> Value {
    let tier = body["sku"]["tier"].as_str().unwrap_or("Free");
    let tier = TIERS
        .iter()
        .find(|t| t.eq_ignore_ascii_case(tier))
        .unwrap_or(&"Free");
    json!({ "name": "Base", "tier": tier })
}

#[derive(Debug)]
struct ManagedCluster;

impl ResourceType for ManagedCluster {
    fn profile(&self) -> &'static Profile {
        &profile::AKS
    }
    fn kind(&self) -> Kind {
        Kind::ManagedCluster
    }
    fn type_name(&self) -> &'static str {
        CLUSTER_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "managedCluster.delete"
    }
    fn busy_blocks_delete(&self) -> bool {
        false
    }

    fn render(&self, state: &State, resource: &Resource) -> Value {
        with_children(state, resource)
    }

    fn busy(&self, ctx: &Ctx<'_>, _at: &At, existing: Option<&Resource>) -> Option<ArmError> {
        let old = existing?;
        (old.is_busy() || any_busy(ctx.state, &old.id)).then(|| {
            ArmError::conflict(
                "OperationNotAllowed",
                format!(
                    "Operation is not allowed because there's an in progress {} operation on the managed cluster.",
                    old.pending.as_ref().map_or("", |p| p.state.as_str())
                ),
            )
        })
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let location = body_location(ctx, body)?;
        if !crate::contract::regions::aks_offered(ctx.config, location) {
            return Err(ArmError::bad_request(
                "LocationNotAvailableForResourceType",
                format!(
                    "The provided location '{location}' is not available for resource type '{CLUSTER_TYPE}'."
                ),
            ));
        }
        if let Some(old) = existing
            && old.body["location"] != json!(location)
        {
            return Err(ArmError::bad_request(
                "InvalidResourceLocation",
                format!(
                    "The resource '{}' already exists in location '{}' in resource group '{}'.",
                    at.name,
                    old.body["location"].as_str().unwrap_or_default(),
                    at.rg
                ),
            ));
        }
        validate(ctx, &at.name, body, existing)?;
        crate::rp::compute::check(
            ctx,
            &at.id,
            location,
            body["properties"]["agentPoolProfiles"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
        )?;
        crate::rp::aks::versions::check(
            ctx,
            location,
            body["properties"]["kubernetesVersion"].as_str(),
            existing.and_then(|c| c.body["properties"]["kubernetesVersion"].as_str()),
        )?;
        let rendered = render(ctx, &at.id, &at.name, &at.rg, location, body, existing);
        for principal in [
            rendered["identity"]["principalId"].as_str(),
            rendered["properties"]["identityProfile"]["kubeletidentity"]["objectId"].as_str(),
        ]
        .into_iter()
        .flatten()
        {
            ctx.state
                .identities
                .entry(principal.to_ascii_lowercase())
                .or_insert(ctx.now);
        }
        Ok(Written {
            body: rendered,
            location: location.to_owned(),
            latency: if existing.is_some() {
                "managedCluster.update"
            } else {
                "managedCluster.put"
            },
            completes: None,
            unchanged: false,
        })
    }
}

pub fn cluster(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let at = At::new(
        ctx.state,
        rg,
        format!("{rg_id}/providers/{CLUSTER_TYPE}/{name}"),
        name,
        None,
    );
    crud::serve(ctx, &at, &ManagedCluster)
}

/// `POST .../managedClusters/{name}/listClusterUserCredential`: the cluster's kubeconfig (base64), with
/// a token stable per cluster. 404 without the cluster, 409 while it is still being created.
pub fn user_credential(ctx: &mut Ctx<'_>, rg: &str, name: &str) -> Result<Resp, ArmError> {
    use base64::Engine as _;
    if ctx.method != Method::POST {
        return Err(method_not_allowed(&ctx.method));
    }
    let rg_id = require_group(ctx, rg)?;
    let id = format!("{rg_id}/providers/{CLUSTER_TYPE}/{name}");
    let Some(cluster) = ctx.state.get(&id).cloned() else {
        return Err(not_found(CLUSTER_TYPE, name, rg));
    };
    if cluster
        .pending
        .as_ref()
        .is_some_and(|p| p.state == "Creating")
    {
        return Err(ArmError::conflict(
            "OperationNotAllowed",
            "The cluster is being created: its credentials exist once it is.",
        ));
    }
    let fqdn = cluster.body["properties"]["fqdn"]
        .as_str()
        .unwrap_or_default();
    let token = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        cluster.id.to_ascii_lowercase().as_bytes(),
    )
    .simple()
    .to_string();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: https://{fqdn}:443\n    certificate-authority-data: {}\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: clusterUser_{rg}_{name}\ncurrent-context: {name}\nusers:\n- name: clusterUser_{rg}_{name}\n  user:\n    token: {token}\n",
        b64("arm-emulator cluster CA")
    );
    Ok(Resp::json(
        200,
        json!({ "kubeconfigs": [{ "name": "clusterUser", "value": b64(&kubeconfig) }] }),
    ))
}
