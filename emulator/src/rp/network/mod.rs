//! `Microsoft.Network`: what its types share (the operation site, etags, CIDR rules, the VNet
//! write lock answered 409 `AnotherOperationInProgress`, subnets as a VNet holds them and what uses
//! them); the types themselves below: virtual networks (`vnet`), subnets, peerings, public IPs.

pub mod peering;
pub mod private_endpoint;
pub mod public_ip;
pub mod subnet;
pub mod vnet;

use crate::contract::error::ArmError;
use crate::contract::request::Ctx;
use crate::contract::store::{Kind, Resource, State};
use ipnet::Ipv4Net;
use serde_json::{Value, json};

pub(crate) const VNET_TYPE: &str = "Microsoft.Network/virtualNetworks";

pub(crate) fn etag() -> String {
    format!("W/\"{}\"", uuid::Uuid::new_v4())
}

pub(crate) fn parse_prefixes(values: &Value, target: &str) -> Result<Vec<Ipv4Net>, ArmError> {
    let Some(list) = values.as_array() else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|v| {
            let text = v.as_str().unwrap_or_default();
            text.parse::<Ipv4Net>()
                .ok()
                .filter(|n| n.trunc() == *n)
                .ok_or_else(|| {
                    ArmError::bad_request(
                        "InvalidAddressPrefixFormat",
                        format!("Address prefix {text} does not have a valid format."),
                    )
                    .with_target(target)
                })
        })
        .collect()
}

pub fn overlaps(a: &[Ipv4Net], b: &[Ipv4Net]) -> bool {
    a.iter().any(|x| {
        b.iter()
            .any(|y| x.contains(&y.network()) || y.contains(&x.network()))
    })
}

pub(crate) fn vnet_space(resource: &Resource) -> Vec<Ipv4Net> {
    parse_prefixes(
        &resource.body["properties"]["addressSpace"]["addressPrefixes"],
        "",
    )
    .unwrap_or_default()
}

pub(crate) fn another_operation(ctx: &Ctx<'_>, vnet: &Resource) -> ArmError {
    let op = vnet
        .pending
        .as_ref()
        .map(|p| p.operation.clone())
        .unwrap_or_default();
    let location = vnet.body["location"].as_str().unwrap_or_default();
    ArmError::conflict(
        "AnotherOperationInProgress",
        format!(
            "Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: {}/subscriptions/{}/providers/Microsoft.Network/locations/{location}/operations/{op}?api-version={}.",
            ctx.base_url,
            ctx.subscription,
            crate::contract::versions::API_NETWORK
        ),
    )
}

/// The subnet `id` (`…/virtualNetworks/{v}/subnets/{s}`) as its VNet holds it.
pub(crate) fn subnet_of<'s>(state: &'s State, id: &str) -> Option<&'s Value> {
    let (vnet, name) = id.rsplit_once("/subnets/")?;
    state.get(vnet)?.body["properties"]["subnets"]
        .as_array()?
        .iter()
        .find(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
}

/// The cluster (or agent pool) whose nodes sit in `subnet_id`, if any: the subnet has active
/// allocations then.
pub(crate) fn subnet_user(state: &State, subnet_id: &str) -> Option<String> {
    let uses = |v: &Value| {
        v["vnetSubnetID"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(subnet_id))
    };
    state
        .resources
        .values()
        .find(|r| match r.kind {
            Kind::ManagedCluster => r.body["properties"]["agentPoolProfiles"]
                .as_array()
                .is_some_and(|pools| pools.iter().any(uses)),
            Kind::AgentPool => uses(&r.body["properties"]),
            // A PostgreSQL flexible server injected into its delegated subnet.
            Kind::PostgresServer => r.body["properties"]["network"]["delegatedSubnetResourceId"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(subnet_id)),
            _ => false,
        })
        .map(|r| r.id.clone())
        .or_else(|| {
            // A private endpoint's addresses sit in its subnet too.
            state
                .resources
                .values()
                .find(|r| {
                    r.kind == Kind::PrivateEndpoint
                        && r.body["properties"]["subnet"]["id"]
                            .as_str()
                            .is_some_and(|s| s.eq_ignore_ascii_case(subnet_id))
                })
                .map(|r| r.id.clone())
        })
}

/// What Azure refuses of a write that replaces a VNet's subnets `old` with `new`: dropping a subnet
/// with allocations in it (400 `InUseSubnetCannotBeDeleted`) or changing its address prefix (400
/// `InUsePrefixCannotBeDeleted`: the old prefix still holds the nodes' addresses).
pub(crate) fn check_in_use(state: &State, old: &[Value], new: &[Value]) -> Result<(), ArmError> {
    for subnet in old {
        let (Some(id), Some(name)) = (subnet["id"].as_str(), subnet["name"].as_str()) else {
            continue;
        };
        let Some(user) = subnet_user(state, id) else {
            continue;
        };
        let prefix = subnet["properties"]["addressPrefix"]
            .as_str()
            .unwrap_or_default();
        let kept = new.iter().find(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
        match kept {
            None => {
                return Err(ArmError::bad_request(
                    "InUseSubnetCannotBeDeleted",
                    format!(
                        "Subnet {name} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet."
                    ),
                ));
            }
            Some(s) if s["properties"]["addressPrefix"].as_str() != Some(prefix) => {
                return Err(ArmError::bad_request(
                    "InUsePrefixCannotBeDeleted",
                    format!(
                        "IpPrefix {prefix} on Subnet {name} has active allocations and cannot be deleted."
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A subnet's delegations as the Network RP keeps them (`Delegation`: name, `serviceName`, the
/// actions the service may take, `provisioningState`), each one's `name` and `serviceName` required.
fn build_delegations(subnet_id: &str, given: &[Value], at: &str) -> Result<Vec<Value>, ArmError> {
    given
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let service = d["properties"]["serviceName"].as_str().unwrap_or_default();
            if service.is_empty() {
                return Err(ArmError::bad_request(
                    "InvalidRequestFormat",
                    format!("Delegation {i} of the subnet names no properties.serviceName."),
                )
                .with_target(format!(
                    "{at}.properties.delegations[{i}].properties.serviceName"
                )));
            }
            let name = d["name"].as_str().unwrap_or(service);
            // The actions Azure lists for a PostgreSQL delegation (learn.microsoft.com, subnet
            // delegation, "Microsoft.DBforPostgreSQL/flexibleServers"); none for other services here.
            let actions = if service.eq_ignore_ascii_case(POSTGRES_DELEGATION) {
                json!(["Microsoft.Network/virtualNetworks/subnets/join/action"])
            } else {
                json!([])
            };
            Ok(json!({
                "id": format!("{subnet_id}/delegations/{name}"),
                "name": name,
                "type": "Microsoft.Network/virtualNetworks/subnets/delegations",
                "etag": etag(),
                "properties": {
                    "serviceName": service,
                    "actions": actions,
                    "provisioningState": "Succeeded",
                },
            }))
        })
        .collect()
}

/// The service a subnet is delegated to for PostgreSQL flexible servers.
pub const POSTGRES_DELEGATION: &str = "Microsoft.DBforPostgreSQL/flexibleServers";

/// Whether the subnet (as its VNet holds it) is delegated to `service`.
pub fn delegated_to(subnet: &Value, service: &str) -> bool {
    subnet["properties"]["delegations"]
        .as_array()
        .is_some_and(|ds| {
            ds.iter().any(|d| {
                d["properties"]["serviceName"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(service))
            })
        })
}

pub(crate) fn build_subnets(
    vnet_id: &str,
    space: &[Ipv4Net],
    subnets: &Value,
) -> Result<Vec<Value>, ArmError> {
    let mut seen: Vec<(String, Ipv4Net)> = Vec::new();
    let mut out = Vec::new();
    for (i, subnet) in subnets
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let name = subnet["name"].as_str().unwrap_or_default();
        // `addressPrefix`, or `addressPrefixes` (a subnet may take several; the first bounds it here).
        let (key, given) = match subnet["properties"]["addressPrefixes"].as_array() {
            Some(list) if subnet["properties"]["addressPrefix"].is_null() => {
                ("addressPrefixes", json!(list))
            }
            _ => (
                "addressPrefix",
                json!([subnet["properties"]["addressPrefix"]]),
            ),
        };
        let target = format!("properties.subnets[{i}].properties.{key}");
        let prefix = parse_prefixes(&given, &target)?;
        let Some(prefix) = prefix.first().copied() else {
            continue;
        };
        if !space.iter().any(|s| s.contains(&prefix)) {
            return Err(ArmError::bad_request(
                "NetcfgInvalidSubnet",
                format!(
                    "Subnet '{name}' is not valid in virtual network '{}'.",
                    vnet_id.rsplit('/').next().unwrap_or_default()
                ),
            )
            .with_target(target));
        }
        if let Some((other, _)) = seen.iter().find(|(_, p)| overlaps(&[*p], &[prefix])) {
            return Err(ArmError::bad_request("NetcfgSubnetRangesOverlap", format!("Subnet '{name}' is not valid because its IP address range overlaps with that of an existing subnet '{other}' in virtual network.")).with_target(target));
        }
        seen.push((name.to_owned(), prefix));
        let id = format!("{vnet_id}/subnets/{name}");
        let mut built = json!({
            "id": id,
            "name": name,
            "type": "Microsoft.Network/virtualNetworks/subnets",
            "etag": etag(),
            "properties": { "provisioningState": "Succeeded", "addressPrefix": prefix.to_string() },
        });
        if let Some(delegations) = subnet["properties"]["delegations"].as_array() {
            built["properties"]["delegations"] = json!(build_delegations(
                &id,
                delegations,
                &format!("properties.subnets[{i}]")
            )?);
        }
        out.push(built);
    }
    Ok(out)
}
