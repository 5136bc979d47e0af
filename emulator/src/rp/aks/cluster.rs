//! `Microsoft.ContainerService/managedClusters`: validation as AKS does it, read-only properties
//! (fqdn, node resource group, identities, power state, the OIDC issuer's URL), PUT and DELETE as
//! long-running operations and its add-ons (`addons`). Its kubeconfigs are `credentials`'; node pools
//! (in `agentPoolProfiles` or as children) follow `agent_pool`.

use super::CLUSTER_TYPE;
use super::pools::{any_busy, with_children};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{body_location, require_group};
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

const TYPE: &str = "Microsoft.ContainerService/ManagedClusters";

/// Whether a cluster (as stored, or as a PUT sends it) has AKS-managed Microsoft Entra ID.
pub(crate) fn managed_aad(body: &Value) -> bool {
    body["properties"]["aadProfile"]["managed"].as_bool() == Some(true)
}

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
    if let Some(old) = existing
        && managed_aad(&old.body)
        && !managed_aad(body)
    {
        // "AKS-managed Microsoft Entra integration can't be disabled" (learn.microsoft.com
        // enable-authentication-microsoft-entra-id, Limitations); the code is a guess, the message
        // has AKS's form for a fixed property (Azure/AKS #1519).
        tracing::info!(
            cluster = name,
            "refused: managed Entra ID cannot be disabled"
        );
        return Err(ArmError::bad_request(
            "BadRequest",
            "Changing property 'aadProfile.managed' is not allowed: AKS-managed Microsoft Entra ID integration cannot be disabled once it is enabled.",
        )
        .with_target("aadProfile.managed"));
    }
    if let Some(old) = existing {
        crate::rp::aks::fixed::check_update(&old.body["properties"], props)?;
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
    // The private FQDN shares the public one's random label.
    let seed = fqdn
        .as_str()
        .and_then(|f| f.strip_prefix(&format!("{dns_prefix}-")))
        .and_then(|rest| rest.split('.').next())
        .unwrap_or("0")
        .to_owned();
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
    // The identity's tenant is the subscription's (azure-cli acs recording
    // test_aks_create_enable_azure_rbac).
    let identity = match old.map(|o| o["identity"].clone()).filter(|v| !v.is_null()) {
        Some(identity) => identity,
        None => {
            json!({ "type": "SystemAssigned", "principalId": uuid::Uuid::new_v4().to_string(), "tenantId": ctx.tenant })
        }
    };
    let tenant = identity["tenantId"].as_str().unwrap_or(&ctx.tenant);
    let mut properties = props.clone();
    if let Some(members) = properties.as_object_mut() {
        for (key, value) in [
            ("aadProfile", aad_profile(&props["aadProfile"], tenant)),
            (
                "oidcIssuerProfile",
                oidc_issuer_profile(&props["oidcIssuerProfile"], id, location, tenant),
            ),
        ] {
            match value {
                Some(value) => members.insert(key.to_owned(), value),
                None => members.remove(key),
            };
        }
    }
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
        // Always a boolean, `false` when not sent (aks-create #0).
        (
            "disableLocalAccounts",
            json!(props["disableLocalAccounts"].as_bool().unwrap_or(false)),
        ),
        // `{}` when nothing is set, never absent (aks-create #0).
        (
            "securityProfile",
            Some(&props["securityProfile"])
                .filter(|p| p.is_object())
                .cloned()
                .unwrap_or_else(|| json!({})),
        ),
    ] {
        properties[key] = value;
    }
    if let Some((api, private)) =
        crate::rp::aks::fixed::private_fqdn(props, &dns_prefix, location, &seed)
    {
        properties["apiServerAccessProfile"] = api;
        properties["privateFQDN"] = keep("privateFQDN", &|| private.clone());
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

/// `aadProfile` as AKS answers it, `None` when the cluster has none: `tenantID` filled with the
/// subscription's tenant when not sent, `adminGroupObjectIDs` `null` when not sent, and `adminUsers:
/// null`, which the spec does not declare (azure-cli acs recordings test_aks_create_enable_azure_rbac,
/// test_aks_create_nonaad_and_update_with_managed_aad). `enableAzureRBAC` only when sent (the latter).
fn aad_profile(sent: &Value, tenant: &str) -> Option<Value> {
    let Value::Object(sent) = sent else {
        return None;
    };
    let mut out = sent.clone();
    out.entry("adminGroupObjectIDs").or_insert(Value::Null);
    out.insert("adminUsers".to_owned(), Value::Null);
    if out
        .get("tenantID")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        out.insert("tenantID".to_owned(), json!(tenant));
    }
    Some(Value::Object(out))
}

/// `oidcIssuerProfile` as AKS answers it, `None` when not sent: `enabled`, and while enabled the
/// read-only `issuerURL` `https://{location}.oic.prod-aks.azure.com/{tenant}/{guid}/`, filled in the
/// PUT's answer already (azure-cli acs recording
/// test_aks_create_with_oidc_issuer_enabled). A sent `issuerURL` is ignored.
/// How AKS derives the guid is not known: here a name-based UUID of the cluster's id, so the URL is
/// the same for the cluster's whole life.
fn oidc_issuer_profile(sent: &Value, id: &str, location: &str, tenant: &str) -> Option<Value> {
    let Value::Object(sent) = sent else {
        return None;
    };
    let enabled = sent
        .get("enabled")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut out = sent.clone();
    out.insert("enabled".to_owned(), json!(enabled));
    out.remove("issuerURL");
    if enabled {
        let guid = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("{}/oidcissuer", id.to_ascii_lowercase()).as_bytes(),
        );
        out.insert(
            "issuerURL".to_owned(),
            json!(format!(
                "https://{location}.oic.prod-aks.azure.com/{tenant}/{guid}/"
            )),
        );
    }
    Some(Value::Object(out))
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
        super::addons::check(ctx, &body["properties"]["addonProfiles"])?;
        let mut rendered = render(ctx, &at.id, &at.name, &at.rg, location, body, existing);
        // The add-ons' identities arrive with the operation's end (see `addons`).
        let node_rg = rendered["properties"]["nodeResourceGroup"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let completes = super::addons::profiles(
            ctx,
            &at.name,
            &node_rg,
            &body["properties"]["addonProfiles"],
            existing.map(|r| &r.body["properties"]["addonProfiles"]),
        )
        .map(|addons| {
            rendered["properties"]["addonProfiles"] = addons.now;
            json!({ "addonProfiles": addons.after })
        });
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
            completes,
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
