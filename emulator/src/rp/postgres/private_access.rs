//! Private access (virtual network integration) of a flexible server: what its `network` block must
//! name and what the server gets.
//!
//! learn.microsoft.com, "Network with private access (virtual network integration)": the server is
//! injected into a subnet delegated to `Microsoft.DBforPostgreSQL/flexibleServers`, of a virtual
//! network in the server's region; providing a private DNS zone is mandatory with it, its name must
//! end with `postgres.database.azure.com`, and applications in another (peered) virtual network
//! reach the server only when the zone is linked to theirs; such a server has no public endpoint.
//! The error codes below are guesses (docs/emulator-fidelity.md).
//!
//! The server's address comes from its subnet; its A record goes into the zone (named after the
//! server: a model, Azure's own label is its business), where [`crate::rp::private_dns::resolve`]
//! finds it from every virtual network linked to the zone.

use crate::contract::error::ArmError;
use crate::contract::store::{Kind, State};
use crate::rp::network::{self, POSTGRES_DELEGATION};
use crate::rp::private_dns::{self, POSTGRES_SUFFIX};
use serde_json::{Value, json};

fn invalid(code: &str, target: &str, message: String) -> ArmError {
    ArmError::bad_request(code, message).with_target(format!("properties.network.{target}"))
}

/// The server's `network` block as Azure keeps it, once `given` passes the checks: the delegated
/// subnet exists, is delegated to flexible servers and lies in `location`; the private DNS zone
/// exists, ends with `postgres.database.azure.com` and is linked to the subnet's virtual network.
/// Without a delegated subnet the server has public access.
pub fn network(state: &State, location: &str, given: &Value) -> Result<Value, ArmError> {
    let Some(subnet_id) = given["delegatedSubnetResourceId"]
        .as_str()
        .filter(|s| !s.is_empty())
    else {
        let public = given["publicNetworkAccess"].as_str().unwrap_or("Enabled");
        return Ok(json!({ "publicNetworkAccess": public }));
    };
    let Some(subnet) = network::subnet_of(state, subnet_id) else {
        return Err(invalid(
            "SubnetNotFound",
            "delegatedSubnetResourceId",
            format!(
                "The subnet '{subnet_id}' does not exist. Create it (delegated to {POSTGRES_DELEGATION}) before the server."
            ),
        ));
    };
    if !network::delegated_to(subnet, POSTGRES_DELEGATION) {
        return Err(invalid(
            "SubnetNotDelegated",
            "delegatedSubnetResourceId",
            format!(
                "The subnet '{subnet_id}' is not delegated to '{POSTGRES_DELEGATION}'. Add that delegation to the subnet."
            ),
        ));
    }
    let vnet_id = subnet_id
        .rsplit_once("/subnets/")
        .map_or(subnet_id, |(v, _)| v);
    let vnet_location = state
        .get(vnet_id)
        .and_then(|v| v.body["location"].as_str())
        .unwrap_or_default();
    if !vnet_location.eq_ignore_ascii_case(location) {
        return Err(invalid(
            "VirtualNetworkInDifferentRegion",
            "delegatedSubnetResourceId",
            format!(
                "The virtual network of subnet '{subnet_id}' is in '{vnet_location}'; a server in '{location}' must use a subnet of a virtual network in its own region."
            ),
        ));
    }
    let Some(zone_id) = given["privateDnsZoneArmResourceId"]
        .as_str()
        .filter(|s| !s.is_empty())
    else {
        return Err(invalid(
            "PrivateDnsZoneRequired",
            "privateDnsZoneArmResourceId",
            "A server integrated into a virtual network needs a private DNS zone: set privateDnsZoneArmResourceId.".to_owned(),
        ));
    };
    let Some(zone) = state
        .get(zone_id)
        .filter(|z| z.kind == Kind::PrivateDnsZone)
    else {
        return Err(invalid(
            "PrivateDnsZoneNotFound",
            "privateDnsZoneArmResourceId",
            format!("The private DNS zone '{zone_id}' does not exist."),
        ));
    };
    let zone_name = zone.body["name"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if zone_name != POSTGRES_SUFFIX && !zone_name.ends_with(&format!(".{POSTGRES_SUFFIX}")) {
        return Err(invalid(
            "InvalidPrivateDnsZoneName",
            "privateDnsZoneArmResourceId",
            format!("The private DNS zone '{zone_name}' must end with '{POSTGRES_SUFFIX}'."),
        ));
    }
    if !linked(state, &zone.id, vnet_id) {
        return Err(invalid(
            "PrivateDnsZoneNotLinked",
            "privateDnsZoneArmResourceId",
            format!(
                "The private DNS zone '{zone_name}' is not linked to the virtual network '{vnet_id}'. Link it (virtualNetworkLinks) before the server."
            ),
        ));
    }
    Ok(json!({
        "publicNetworkAccess": "Disabled",
        "delegatedSubnetResourceId": subnet_id,
        "privateDnsZoneArmResourceId": zone.id,
    }))
}

/// Whether the zone `zone_id` has a virtual network link to `vnet_id`.
fn linked(state: &State, zone_id: &str, vnet_id: &str) -> bool {
    state.children_of(zone_id).iter().any(|k| {
        state.resources.get(k).is_some_and(|r| {
            r.kind == Kind::PrivateDnsLink
                && r.body["properties"]["virtualNetwork"]["id"]
                    .as_str()
                    .is_some_and(|v| v.eq_ignore_ascii_case(vnet_id))
        })
    })
}

/// The zone a server's name is recorded in, if it has private access.
pub fn zone_of(server: &Value) -> Option<&str> {
    server["properties"]["network"]["privateDnsZoneArmResourceId"]
        .as_str()
        .filter(|s| !s.is_empty())
}

/// The address a new server `server_id` takes in its delegated subnet: the subnet's fifth address on
/// (Azure keeps the first four) after those of the servers already in it.
pub fn address(state: &State, server_id: &str, subnet_id: &str) -> Option<String> {
    let subnet = network::subnet_of(state, subnet_id)?;
    let prefix: ipnet::Ipv4Net = subnet["properties"]["addressPrefix"]
        .as_str()?
        .parse()
        .ok()?;
    let taken: Vec<String> = state
        .resources
        .values()
        .filter(|r| {
            r.kind == Kind::PostgresServer
                && !r.id.eq_ignore_ascii_case(server_id)
                && r.body["properties"]["network"]["delegatedSubnetResourceId"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(subnet_id))
        })
        .filter_map(|r| recorded(state, &r.body))
        .collect();
    prefix
        .hosts()
        .skip(3)
        .map(|ip| ip.to_string())
        .find(|ip| !taken.contains(ip))
}

/// The address a server's A record holds in its zone.
pub fn recorded(state: &State, server: &Value) -> Option<String> {
    let zone = zone_of(server)?;
    let name = server["name"].as_str()?;
    let record = state.get(&format!("{zone}/A/{name}"))?;
    record.body["properties"]["aRecords"][0]["ipv4Address"]
        .as_str()
        .map(str::to_owned)
}

/// Writes the server's A record into its zone (nothing for a server with public access).
pub fn publish(state: &mut State, server_id: &str, server: &Value) {
    let (Some(zone), Some(subnet), Some(name)) = (
        zone_of(server),
        server["properties"]["network"]["delegatedSubnetResourceId"].as_str(),
        server["name"].as_str(),
    ) else {
        return;
    };
    if recorded(state, server).is_some() {
        return;
    }
    if let Some(ip) = address(state, server_id, subnet) {
        private_dns::write_a_record(state, zone, name, &[ip]);
    }
}

/// Removes the server's A record from its zone.
pub fn unpublish(state: &mut State, server: &Value) {
    let (Some(zone), Some(name), Some(ip)) = (
        zone_of(server),
        server["name"].as_str(),
        recorded(state, server),
    ) else {
        return;
    };
    private_dns::remove_a_record(state, zone, name, &[ip]);
}

/// Removes, from the zones of flexible servers, the records of servers and virtual endpoints that no
/// longer exist (their resource group was deleted with them): Azure removes a server's record with
/// the server (modelled: docs/emulator-fidelity.md).
pub fn prune(state: &mut State) {
    let servers: Vec<String> = state
        .resources
        .values()
        .filter(|r| r.kind == Kind::PostgresServer)
        .map(|r| super::name_of(&r.id).to_ascii_lowercase())
        .collect();
    let endpoints: Vec<String> = state
        .resources
        .values()
        .filter(|r| r.kind == Kind::PostgresVirtualEndpoint)
        .map(|r| super::name_of(&r.id).to_ascii_lowercase())
        .collect();
    let stale: Vec<String> = state
        .resources
        .iter()
        .filter(|(_, r)| r.kind == Kind::PrivateDnsRecordSet)
        .filter_map(|(key, r)| {
            let (zone, label) = r.id.rsplit_once("/A/")?;
            let zone = name_of_zone(zone);
            if zone != POSTGRES_SUFFIX && !zone.ends_with(&format!(".{POSTGRES_SUFFIX}")) {
                return None;
            }
            let label = label.to_ascii_lowercase();
            let gone = match label
                .strip_suffix(".writer")
                .or_else(|| label.strip_suffix(".reader"))
            {
                Some(endpoint) => !endpoints.iter().any(|e| e == endpoint),
                None if !label.contains('.') => !servers.contains(&label),
                None => false,
            };
            gone.then(|| key.clone())
        })
        .collect();
    for key in stale {
        state.resources.remove(&key);
    }
}

fn name_of_zone(zone_id: &str) -> String {
    zone_id
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}
