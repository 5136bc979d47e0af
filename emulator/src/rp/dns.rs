//! `GET /_emulator/dns/{fqdn}`: what a DNS query for one of the global services' names would get
//! now. A Traffic Manager profile's `{relativeName}.trafficmanager.net` answers with the endpoints
//! its routing method and their health give (`traffic_manager::dns`); a Front Door endpoint's host
//! name with the origins a request would reach (`front_door_routing`). Not part of ARM: a test's
//! window onto the data plane, which the emulator does not serve.

use crate::contract::request::Resp;
use crate::contract::store::{Kind, State};
use crate::rp::front_door_routing;
use crate::rp::traffic_manager::dns::{self, Query};
use crate::rp::traffic_manager::health;
use serde_json::json;
use std::collections::HashMap;

/// The answer for `fqdn` at `now`; `query` may carry `client_region`, `client_location` and `path`.
pub fn answer(state: &State, fqdn: &str, query: &HashMap<String, String>, now: u64) -> Resp {
    let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
    let param = |key: &str| query.get(key).map(String::as_str);
    let profile = state.resources.values().find(|r| {
        r.kind == Kind::TrafficManagerProfile
            && r.body["properties"]["dnsConfig"]["fqdn"]
                .as_str()
                .is_some_and(|f| f.eq_ignore_ascii_case(&fqdn))
    });
    if let Some(profile) = profile {
        let props = &profile.body["properties"];
        let asked = Query {
            client_region: param("client_region"),
            client_location: param("client_location"),
        };
        return match dns::resolve(state, profile, asked, now) {
            Ok(answer) => Resp::json(
                200,
                json!({
                    "fqdn": fqdn,
                    "ttl": props["dnsConfig"]["ttl"],
                    "rcode": answer.rcode,
                    "trafficRoutingMethod": props["trafficRoutingMethod"],
                    "profileMonitorStatus": health::profile_status(state, profile, now).0,
                    "answers": answer.answers,
                }),
            ),
            Err(why) => Resp::json(
                400,
                json!({ "error": { "code": "BadRequest", "message": why } }),
            ),
        };
    }
    let endpoint = state.resources.values().find(|r| {
        r.kind == Kind::FrontDoorChild
            && r.body["properties"]["hostName"]
                .as_str()
                .is_some_and(|h| h.eq_ignore_ascii_case(&fqdn))
            && r.id.to_ascii_lowercase().contains("/afdendpoints/")
    });
    if let Some(endpoint) = endpoint {
        let asked = front_door_routing::Request {
            client_region: param("client_region"),
            path: param("path"),
        };
        let mut out = front_door_routing::resolve(state, endpoint, asked, now);
        out["fqdn"] = json!(fqdn);
        out["endpoint"] = json!(endpoint.id);
        return Resp::json(200, out);
    }
    Resp::json(
        404,
        json!({ "error": { "code": "NotFound", "message": format!("no Traffic Manager profile or Front Door endpoint answers for '{fqdn}'") } }),
    )
}
