//! What Traffic Manager's name servers would answer now for a profile's DNS name
//! (learn.microsoft.com traffic-manager-routing-methods, traffic-manager-monitoring): the endpoints
//! a query gets, from the routing method and the endpoints' health (`health`). Degraded endpoints
//! are left out, unless every eligible endpoint is degraded: then Traffic Manager "responds as if all
//! the Degraded status endpoints actually are in an online state". Disabled and stopped endpoints
//! are never eligible. A nested endpoint answers with its child profile's answer.

use super::health::{self, child_of, is_nested, target_region};
use super::{METHODS, endpoints_of};
use crate::contract::geo;
use crate::contract::regions;
use crate::contract::store::{Resource, State};
use serde_json::{Value, json};

/// Where a query comes from, for the methods that look: the Azure region nearest the querying
/// resolver (Performance) and its geographic code (Geographic: `US-CA`, `IE`, `GEO-EU`, `WORLD`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Query<'q> {
    pub client_region: Option<&'q str>,
    pub client_location: Option<&'q str>,
}

/// The DNS answer: `rcode` (`NOERROR`, `NODATA` when no endpoint is returned, `NXDOMAIN` for a
/// disabled profile) and the endpoints returned, each with its share of queries where the answer
/// is one of several.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    pub rcode: &'static str,
    pub answers: Vec<Value>,
}

/// How deep nested profiles are followed (traffic-manager-nested-profiles: 10 levels).
const MAX_DEPTH: usize = 10;

/// The answer for `profile`'s DNS name at `now`, or why the query cannot be answered (a method
/// that needs to know where it comes from and was not told).
pub(crate) fn resolve(
    state: &State,
    profile: &Resource,
    query: Query<'_>,
    now: u64,
) -> Result<Answer, String> {
    if profile.body["properties"]["profileStatus"] == "Disabled" {
        // "An NXDOMAIN response code is returned for the DNS query" (traffic-manager-monitoring).
        return Ok(Answer {
            rcode: "NXDOMAIN",
            answers: Vec::new(),
        });
    }
    let mut answers = Vec::new();
    answer_from(state, profile, query, now, 0, 1.0, &mut answers)?;
    Ok(Answer {
        rcode: if answers.is_empty() {
            "NODATA"
        } else {
            "NOERROR"
        },
        answers,
    })
}

/// Adds `profile`'s answer to `out`, each endpoint's share of queries multiplied by `share`.
fn answer_from(
    state: &State,
    profile: &Resource,
    query: Query<'_>,
    now: u64,
    depth: usize,
    share: f64,
    out: &mut Vec<Value>,
) -> Result<(), String> {
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    let method = profile.body["properties"]["trafficRoutingMethod"]
        .as_str()
        .unwrap_or("Priority");
    let statuses: Vec<(Resource, &'static str)> = endpoints_of(state, &profile.id)
        .into_iter()
        .map(|e| {
            let status = health::endpoint_status(state, &e, now);
            (e, status)
        })
        .collect();
    let eligible: Vec<&(Resource, &str)> = statuses
        .iter()
        .filter(|(_, s)| !matches!(*s, "Disabled" | "Stopped" | "Inactive"))
        .collect();
    let healthy: Vec<&(Resource, &str)> = eligible
        .iter()
        .copied()
        .filter(|(_, s)| matches!(*s, "Online" | "CheckingEndpoint"))
        .collect();
    let pool: Vec<&Resource> = if healthy.is_empty() {
        eligible.iter().map(|(e, _)| e).collect()
    } else {
        healthy.iter().map(|(e, _)| e).collect()
    };
    let chosen: Vec<(&Resource, f64)> = match method {
        "Priority" => pool
            .iter()
            .min_by_key(|e| {
                e.body["properties"]["priority"]
                    .as_i64()
                    .unwrap_or(i64::MAX)
            })
            .map(|e| vec![(*e, 1.0)])
            .unwrap_or_default(),
        "Weighted" => {
            let weight = |e: &Resource| e.body["properties"]["weight"].as_f64().unwrap_or(1.0);
            let total: f64 = pool.iter().map(|e| weight(e)).sum();
            pool.iter().map(|e| (*e, weight(e) / total)).collect()
        }
        "Performance" => closest(state, &pool, query)?,
        "Geographic" => match geographic(&statuses, query)? {
            Some(e) => vec![(e, 1.0)],
            None => Vec::new(),
        },
        "MultiValue" => {
            let max = profile.body["properties"]["maxReturn"]
                .as_u64()
                .unwrap_or(2) as usize;
            pool.iter().take(max).map(|e| (*e, 1.0)).collect()
        }
        other => {
            return Err(format!(
                "the {other} routing method is not modelled (modelled: {})",
                METHODS
                    .iter()
                    .filter(|m| **m != "Subnet")
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    };
    for (endpoint, part) in chosen {
        if is_nested(endpoint)
            && let Some(child) = child_of(state, endpoint)
        {
            answer_from(state, child, query, now, depth + 1, share * part, out)?;
            continue;
        }
        let props = &endpoint.body["properties"];
        let mut answer = json!({ "endpoint": endpoint.id, "target": props["target"] });
        if let Some(location) = props["endpointLocation"].as_str() {
            answer["endpointLocation"] = json!(location);
        }
        if method == "Weighted" || method == "Performance" || share < 1.0 {
            answer["weight"] = json!(share * part);
        }
        out.push(answer);
    }
    Ok(())
}

/// Performance: the endpoints of the region closest to the querying region with one to offer,
/// traffic shared evenly between them (traffic-manager-routing-methods). Closeness is the emulator's
/// latency model (`contract::geo`), not Azure's Internet Latency Table.
fn closest<'r>(
    state: &State,
    pool: &[&'r Resource],
    query: Query<'_>,
) -> Result<Vec<(&'r Resource, f64)>, String> {
    let client = query
        .client_region
        .ok_or("Performance routing needs ?client_region=REGION (the region nearest the client)")?;
    let client = regions::canonical(client)
        .ok_or_else(|| format!("client_region '{client}' is not an Azure region"))?;
    let distance = |e: &Resource| {
        let region = e.body["properties"]["endpointLocation"]
            .as_str()
            .and_then(regions::canonical)
            .or_else(|| target_region(state, e));
        region
            .and_then(|r| geo::distance_km(client, r))
            .unwrap_or(f64::MAX)
    };
    let Some(nearest) = pool.iter().map(|e| distance(e)).min_by(f64::total_cmp) else {
        return Ok(Vec::new());
    };
    let there: Vec<&Resource> = pool
        .iter()
        .copied()
        .filter(|e| distance(e) <= nearest)
        .collect();
    let part = 1.0 / there.len() as f64;
    Ok(there.into_iter().map(|e| (e, part)).collect())
}

/// Geographic: the endpoint mapped to the most specific code the query's location falls under, up to
/// `WORLD`, whatever its health; none (NODATA) when nothing is mapped or the match is stopped.
/// Disabled endpoints take no part in the matching (traffic-manager-routing-methods).
fn geographic<'r>(
    statuses: &'r [(Resource, &'static str)],
    query: Query<'_>,
) -> Result<Option<&'r Resource>, String> {
    let location = query.client_location.ok_or(
        "Geographic routing needs ?client_location=CODE (a country, state or GEO- code, or WORLD)",
    )?;
    for code in geo::lookup_chain(location) {
        let mapped = statuses.iter().find(|(e, s)| {
            *s != "Disabled"
                && e.body["properties"]["geoMapping"]
                    .as_array()
                    .is_some_and(|g| {
                        g.iter()
                            .any(|c| c.as_str().is_some_and(|c| c.eq_ignore_ascii_case(&code)))
                    })
        });
        if let Some((endpoint, status)) = mapped {
            return Ok((!matches!(*status, "Stopped" | "Inactive")).then_some(endpoint));
        }
    }
    Ok(None)
}
