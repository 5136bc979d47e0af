//! Global VNet peerings (`Microsoft.Network/virtualNetworks/virtualNetworkPeerings`): remote readiness
//! (400 `ReferencedResourceNotProvisioned`), overlap refusal (also with VNets already peered), the
//! local VNet held `Updating` while a write runs, and peering states Initiated / Connected /
//! Disconnected, recomputed for the pair a write or a finished operation touches.

use super::{another_operation, etag, overlaps, vnet_space};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::lro::Started;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const PEERING_TYPE: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";
use super::VNET_TYPE;

#[derive(Debug)]
struct Peering;

impl Peering {
    /// The VNet the peering belongs to (`At::parent`).
    fn local(at: &At) -> Result<&Resource, ArmError> {
        at.parent
            .as_ref()
            .ok_or_else(|| ArmError::new(500, "InternalServerError", "peering without its VNet"))
    }
}

impl ResourceType for Peering {
    fn profile(&self) -> &'static Profile {
        &profile::NETWORK
    }
    fn kind(&self) -> Kind {
        Kind::Peering
    }
    fn type_name(&self) -> &'static str {
        PEERING_TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "network.delete"
    }

    /// A peering write holds its local VNet: refused while the VNet is busy.
    fn busy(&self, ctx: &Ctx<'_>, at: &At, _existing: Option<&Resource>) -> Option<ArmError> {
        let local = at.parent.as_ref()?;
        ctx.state
            .get(&local.id)
            .filter(|v| v.is_busy())
            .map(|v| another_operation(ctx, v))
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let local = VnetFacts::of(Self::local(at)?);
        let id = &at.id;
        let Some(remote_id) = body["properties"]["remoteVirtualNetwork"]["id"].as_str() else {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                "Cannot parse the request: properties.remoteVirtualNetwork.id is required.",
            )
            .with_target("properties.remoteVirtualNetwork.id"));
        };
        let Some(remote) = ctx.state.get(remote_id).map(VnetFacts::of) else {
            return Err(ArmError::bad_request(
                "InvalidResourceReference",
                format!(
                    "Resource {remote_id} referenced by resource {id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same subscription."
                ),
            ));
        };
        if remote.busy || remote.provisioning_state != "Succeeded" {
            return Err(ArmError::bad_request(
                "ReferencedResourceNotProvisioned",
                format!(
                    "Cannot proceed with operation because resource {} used by resource {id} is not in Succeeded state. Resource is in {} state and the last operation that updated/is updating the resource is PutVirtualNetworkOperation.",
                    remote.id, remote.provisioning_state
                ),
            ));
        }
        let (local_space, remote_space) = (&local.space, &remote.space);
        if overlaps(local_space, remote_space) {
            return Err(ArmError::bad_request(
                "VnetAddressSpacesOverlap",
                format!(
                    "Cannot create or update peering {id}. Virtual networks {} and {} cannot be peered because their address spaces overlap.",
                    local.id, remote.id
                ),
            ));
        }
        for other in peered_vnets(ctx.state, &local.id) {
            if !other.id.eq_ignore_ascii_case(&remote.id)
                && overlaps(&vnet_space(other), remote_space)
            {
                return Err(ArmError::bad_request(
                    "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
                    format!(
                        "Cannot create or update peering {id}. Address space of the remote virtual network {} overlaps with the address space of {}, already peered with {}.",
                        remote.id, other.id, local.id
                    ),
                ));
            }
        }
        // A remote side left Disconnected (this side or its VNet was deleted) must be re-PUT first.
        let local_lower = local.id.to_ascii_lowercase();
        if let Some(reciprocal) = sides_of(
            ctx.state,
            &remote.id.to_ascii_lowercase(),
            Some(&local_lower),
        )
        .iter()
        .filter_map(|s| ctx.state.resources.get(&s.key))
        .find(|p| p.body["properties"]["peeringState"] == "Disconnected")
        {
            return Err(ArmError::bad_request(
                "RemotePeeringIsDisconnected",
                format!(
                    "Cannot create or update peering {id} because remote peering {} referencing parent virtual network {} is in Disconnected state. Update or re-create the remote peering to get it back to Initiated state. Peering gets Disconnected when remote vnet or remote peering is deleted and re-created.",
                    reciprocal.id, local.id
                ),
            ));
        }
        let props = &body["properties"];
        let flag = |key: &str, default: bool| props[key].as_bool().unwrap_or(default);
        // A new side is `RemoteNotInSync` until its remote side exists (vnet-peering #44, #46);
        // a re-PUT keeps its level unless it asks to sync the remote address space.
        let sync_level = match existing {
            None => "RemoteNotInSync".to_owned(),
            Some(_)
                if ctx
                    .query
                    .get("syncRemoteAddressSpace")
                    .is_some_and(|v| v == "true") =>
            {
                "FullyInSync".to_owned()
            }
            Some(p) => p.body["properties"]["peeringSyncLevel"]
                .as_str()
                .unwrap_or("FullyInSync")
                .to_owned(),
        };
        let prefixes: Vec<String> = remote_space.iter().map(ToString::to_string).collect();
        let peering_body = json!({
            "id": id,
            "name": at.name,
            "type": PEERING_TYPE,
            "etag": etag(),
            "properties": {
                "resourceGuid": existing.map_or_else(|| json!(uuid::Uuid::new_v4().to_string()), |p| p.body["properties"]["resourceGuid"].clone()),
                // Re-PUT, a Disconnected peering starts over as Initiated.
                "peeringState": existing
                    .map(|p| p.body["properties"]["peeringState"].clone())
                    .filter(|s| s != "Disconnected")
                    .unwrap_or_else(|| json!("Initiated")),
                "peeringSyncLevel": sync_level,
                "remoteVirtualNetwork": { "id": remote.id },
                "allowVirtualNetworkAccess": flag("allowVirtualNetworkAccess", true),
                "allowForwardedTraffic": flag("allowForwardedTraffic", false),
                "allowGatewayTransit": flag("allowGatewayTransit", false),
                "useRemoteGateways": flag("useRemoteGateways", false),
                "doNotVerifyRemoteGateways": flag("doNotVerifyRemoteGateways", false),
                "peerCompleteVnets": flag("peerCompleteVnets", true),
                "remoteAddressSpace": { "addressPrefixes": prefixes },
                "remoteVirtualNetworkAddressSpace": { "addressPrefixes": prefixes },
            },
        });
        Ok(Written {
            body: peering_body,
            location: local.location,
            latency: "peering.put",
            completes: None,
            unchanged: false,
        })
    }

    /// The local VNet is held `Updating` while the write runs, and the pair's states follow at once:
    /// the second side's own answer reads `Connected` (vnet-peering #47).
    fn written(&self, ctx: &mut Ctx<'_>, at: &At, op: Option<&Started>) {
        let (Ok(local), Some(op)) = (Self::local(at), op) else {
            return;
        };
        lock_vnet(ctx.state, &local.id, &op.id, ctx.now + op.duration_ms);
        let remote = ctx
            .state
            .get(&at.id)
            .and_then(|p| p.body["properties"]["remoteVirtualNetwork"]["id"].as_str())
            .unwrap_or_default()
            .to_owned();
        let pairs = pair_of(&at.id.to_ascii_lowercase(), &remote)
            .into_iter()
            .collect();
        recompute_peering_pairs(ctx.state, &pairs);
    }

    fn deleting(&self, ctx: &mut Ctx<'_>, at: &At, op: &Started) {
        if let Ok(local) = Self::local(at) {
            lock_vnet(ctx.state, &local.id, &op.id, ctx.now + op.duration_ms);
        }
    }
}

pub fn peering(ctx: &mut Ctx<'_>, rg: &str, vnet_name: &str, name: &str) -> Result<Resp, ArmError> {
    let rg_id = require_group(ctx, rg)?;
    let vnet_id = format!("{rg_id}/providers/{VNET_TYPE}/{vnet_name}");
    let Some(local) = ctx.state.get(&vnet_id).cloned() else {
        return Err(not_found(VNET_TYPE, vnet_name, rg));
    };
    let id = format!("{}/virtualNetworkPeerings/{name}", local.id);
    let at = At::new(ctx.state, rg, id, name, Some(local));
    crud::serve(ctx, &at, &Peering)
}

/// What a peering write uses of a VNet.
struct VnetFacts {
    id: String,
    location: String,
    busy: bool,
    provisioning_state: String,
    space: Vec<ipnet::Ipv4Net>,
}

impl VnetFacts {
    fn of(vnet: &Resource) -> Self {
        Self {
            id: vnet.id.clone(),
            location: vnet.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            busy: vnet.is_busy(),
            provisioning_state: vnet.provisioning_state().to_owned(),
            space: vnet_space(vnet),
        }
    }
}

/// A peering write holds its local VNet in `Updating` until it finishes, as ARM does.
fn lock_vnet(state: &mut State, vnet_id: &str, op: &str, until_ms: u64) {
    state.pending_until(vnet_id, until_ms);
    if let Some(v) = state.get_mut(vnet_id) {
        v.pending = Some(crate::contract::store::Pending {
            state: "Updating".into(),
            until_ms,
            operation: op.to_owned(),
            completes: None,
        });
        v.body["properties"]["provisioningState"] = json!("Updating");
    }
}

fn peered_vnets<'s>(state: &'s State, vnet_id: &str) -> Vec<&'s Resource> {
    state
        .children_of(vnet_id)
        .iter()
        .filter_map(|k| state.resources.get(k))
        .filter(|r| r.kind == Kind::Peering)
        .filter_map(|p| p.body["properties"]["remoteVirtualNetwork"]["id"].as_str())
        .filter_map(|remote| state.get(remote))
        .collect()
}

/// After an address-space change, the VNet's own peerings are `LocalNotInSync` and the peerings that
/// point at it `RemoteNotInSync`, until each is re-PUT with `syncRemoteAddressSpace=true`.
pub(crate) fn mark_out_of_sync(state: &mut State, vnet_id: &str) {
    let lower = vnet_id.to_ascii_lowercase();
    for r in state
        .resources
        .values_mut()
        .filter(|r| r.kind == Kind::Peering)
    {
        let remote = r.body["properties"]["remoteVirtualNetwork"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if r.id.to_ascii_lowercase().starts_with(&format!("{lower}/")) {
            r.body["properties"]["peeringSyncLevel"] = json!("LocalNotInSync");
        } else if remote == lower {
            r.body["properties"]["peeringSyncLevel"] = json!("RemoteNotInSync");
        }
    }
}

/// Peering states follow from what exists: Connected when the reciprocal peering has been provisioned,
/// Disconnected once a connection is lost, Initiated before the other side exists. Recomputes every
/// peering (after deletes: any may have lost its remote side).
pub fn recompute_peerings(state: &mut State) {
    let vnets: BTreeSet<String> = state
        .resources
        .iter()
        .filter(|(_, r)| r.kind == Kind::Peering)
        .filter_map(|(k, _)| k.rsplit_once("/virtualnetworkpeerings/"))
        .map(|(vnet, _)| vnet.to_owned())
        .collect();
    let sides: Vec<Side> = vnets
        .iter()
        .flat_map(|v| sides_of(state, v, None))
        .collect();
    settle_states(state, &sides);
}

/// Recomputes the peerings between each pair of VNets (lower-cased ids): all that a write or a finished
/// operation on a peering can change, since a peering's state depends only on its pair.
pub fn recompute_peering_pairs(state: &mut State, pairs: &BTreeSet<(String, String)>) {
    let sides: Vec<Side> = pairs
        .iter()
        .flat_map(|(a, b)| {
            let mut both = sides_of(state, a, Some(b));
            both.extend(sides_of(state, b, Some(a)));
            both
        })
        .collect();
    settle_states(state, &sides);
}

/// The pair of a peering's local and remote VNets, lower-cased and in order.
pub fn pair_of(peering_key: &str, remote_id: &str) -> Option<(String, String)> {
    let (local, _) = peering_key.rsplit_once("/virtualnetworkpeerings/")?;
    let (local, remote) = (local.to_owned(), remote_id.to_ascii_lowercase());
    Some(if local <= remote {
        (local, remote)
    } else {
        (remote, local)
    })
}

/// One peering: its key, local VNet and remote VNet (both lower-cased ids), and whether it counts as
/// provisioned for its pair's state.
struct Side {
    key: String,
    local: String,
    remote: String,
    provisioned: bool,
}

/// The peerings of one VNet (lower-cased id), found by their ids' prefix; only those toward `toward`
/// when given.
fn sides_of(state: &State, vnet: &str, toward: Option<&str>) -> Vec<Side> {
    let prefix = format!("{vnet}/virtualnetworkpeerings/");
    state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(_, r)| r.kind == Kind::Peering)
        .map(|(k, r)| {
            let remote = r.body["properties"]["remoteVirtualNetwork"]["id"]
                .as_str()
                .unwrap_or_default();
            (k, r, remote)
        })
        .filter(|(_, _, remote)| toward.is_none_or(|t| remote.eq_ignore_ascii_case(t)))
        .map(|(k, r, remote)| Side {
            key: k.clone(),
            local: vnet.to_owned(),
            remote: remote.to_ascii_lowercase(),
            provisioned: match &r.pending {
                None => r.provisioning_state() == "Succeeded",
                Some(pending) => pending.state == "Updating",
            },
        })
        .collect()
}

/// Sets each side's state from its reciprocal, which `sides` must hold too when it exists.
fn settle_states(state: &mut State, sides: &[Side]) {
    let provisioned = |local: &str, remote: &str| {
        sides
            .iter()
            .any(|s| s.provisioned && s.local == local && s.remote == remote)
    };
    let mut updates = Vec::new();
    for side in sides {
        let Some(p) = state.resources.get(&side.key) else {
            continue;
        };
        let current = p.body["properties"]["peeringState"]
            .as_str()
            .unwrap_or("Initiated");
        let next = if !state.resources.contains_key(&side.remote) {
            "Disconnected"
        } else if provisioned(&side.local, &side.remote) && provisioned(&side.remote, &side.local) {
            "Connected"
        } else if current == "Initiated" {
            "Initiated"
        } else {
            "Disconnected"
        };
        if next != current {
            updates.push((side.key.clone(), next));
        }
    }
    for (key, next) in updates {
        if let Some(p) = state.resources.get_mut(&key) {
            // Connected, the side is in sync with its remote (vnet-peering #52); every change of
            // state is a new etag.
            if next == "Connected"
                && p.body["properties"]["peeringSyncLevel"] == "RemoteNotInSync"
                && p.body["properties"]["peeringState"] == "Initiated"
            {
                p.body["properties"]["peeringSyncLevel"] = json!("FullyInSync");
            }
            p.body["properties"]["peeringState"] = json!(next);
            p.body["etag"] = json!(etag());
        }
    }
}
