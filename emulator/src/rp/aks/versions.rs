//! The Kubernetes versions AKS offers per region (`GET …/locations/{location}/kubernetesVersions`,
//! whose list is `values`, not `value`), and the check a cluster PUT meets: a version AKS does not
//! offer there is refused 400 `AgentPoolK8sVersionNotSupported` when a cluster is made with it or
//! moved to it (a running cluster keeps a version that has since retired); an upgrade may not skip a
//! minor version (unless it leaves one AKS no longer offers) nor go back, 400 `OperationNotAllowed`.
//! Regions follow one table unless [`crate::contract::config::Config::kubernetes_versions`] gives a region its own
//! patch versions.

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use serde_json::{Value, json};

/// Every region's patch versions unless the configuration says otherwise; the first minor is AKS's
/// default (the patch a cluster gets when it names no version is [`DEFAULT`]).
const PATCHES: &[&str] = &["1.30.6", "1.30.7", "1.31.2", "1.31.3", "1.32.0"];

/// The version of a cluster that names none.
pub const DEFAULT: &str = "1.30.6";

fn minor(version: &str) -> &str {
    let mut dots = version.match_indices('.').map(|(i, _)| i);
    match (dots.next(), dots.next()) {
        (Some(_), Some(second)) => &version[..second],
        _ => version,
    }
}

/// The patch versions AKS offers in `location`.
fn patches(ctx: &Ctx<'_>, location: &str) -> Vec<String> {
    ctx.config
        .kubernetes_versions
        .iter()
        .find(|(region, _)| region.eq_ignore_ascii_case(location))
        .map_or_else(
            || PATCHES.iter().map(|p| (*p).to_owned()).collect(),
            |(_, list)| list.clone(),
        )
}

/// Whether AKS offers `version` (`x.y`: any of its patches; `x.y.z`: that patch) in `location`.
pub fn offered(ctx: &Ctx<'_>, location: &str, version: &str) -> bool {
    patches(ctx, location)
        .iter()
        .any(|p| p == version || minor(p) == version)
}

/// Refuses `version` for a cluster in `location`, unless it is offered there or is the version the
/// cluster already has.
pub fn check(
    ctx: &Ctx<'_>,
    location: &str,
    version: Option<&str>,
    current: Option<&str>,
) -> Result<(), ArmError> {
    // An empty version (as in the spec's own examples) asks for AKS's default.
    let Some(version) = version.filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    if current == Some(version) {
        return Ok(());
    }
    if !offered(ctx, location, version) {
        return Err(not_supported(version));
    }
    let Some(current) = current.filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let (Some(from), Some(to)) = (minor_number(current), minor_number(version)) else {
        return Ok(());
    };
    // From a version AKS no longer offers, any offered one may be reached at once.
    let stranded = !offered(ctx, location, minor(current));
    if to < from || (to > from + 1 && !stranded) {
        let upgrades: Vec<String> = patches(ctx, location)
            .into_iter()
            .filter(|p| {
                minor_number(p).is_some_and(|m| m == from || m == from + 1) && p.as_str() > current
            })
            .collect();
        return Err(ArmError::bad_request(
            "OperationNotAllowed",
            format!(
                "Upgrading Kubernetes version {current} to {version} is not allowed. Available upgrades: [{}]. Please see https://aka.ms/aks-supported-k8s-ver for version details.",
                upgrades.join(" ")
            ),
        ));
    }
    Ok(())
}

/// The minor number of `1.30` or `1.30.6` (30).
fn minor_number(version: &str) -> Option<u32> {
    version.split('.').nth(1)?.parse().ok()
}

fn not_supported(version: &str) -> ArmError {
    ArmError::bad_request(
        "AgentPoolK8sVersionNotSupported",
        format!(
            "Version {version} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list"
        ),
    )
}

/// `GET /subscriptions/{s}/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions`.
pub fn list(ctx: &mut Ctx<'_>, location: &str) -> Result<Resp, ArmError> {
    let Some(location) = crate::contract::regions::canonical(location) else {
        return Err(ArmError::bad_request(
            "InvalidLocation",
            format!("The location '{location}' is not a valid location."),
        ));
    };
    let patches = patches(ctx, location);
    let mut minors: Vec<&str> = patches.iter().map(|p| minor(p)).collect();
    minors.dedup();
    let default = minor(DEFAULT);
    let values: Vec<Value> = minors
        .iter()
        .map(|m| {
            let of_minor: Vec<&String> = patches.iter().filter(|p| minor(p) == *m).collect();
            let patch_versions: serde_json::Map<String, Value> = of_minor
                .iter()
                .map(|p| {
                    let upgrades: Vec<&String> =
                        patches.iter().filter(|q| q.as_str() > p.as_str()).collect();
                    ((*p).clone(), json!({ "upgrades": upgrades }))
                })
                .collect();
            let mut entry = json!({
                "version": m,
                "capabilities": { "supportPlan": ["KubernetesOfficial"] },
                "patchVersions": patch_versions,
            });
            if *m == default {
                entry["isDefault"] = json!(true);
            }
            entry
        })
        .collect();
    Ok(Resp::json(200, json!({ "values": values })))
}
