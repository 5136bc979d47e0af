//! Where the global resources and their group live: the planned values of `home_region` and
//! `global_group_region` (neither moves once what it places exists), and the refusal to move the
//! global group by configuration.

use crate::diag::{self, Diagnostic};

use crate::value::Value;
use bcdr::validate::AttributePath;

/// The configured region of the global group, else the one in the state (it never moves), else
/// known after apply: the SDK chooses it, and a group found existing keeps where it is.
pub(super) fn global_group_region(config: &Value, prior: &Value) -> Value {
    match (
        config.get("global_group_region"),
        prior.get("global_group_region"),
    ) {
        (Value::Null, Value::String(s)) if !s.is_empty() => Value::string(s),
        (Value::Null, _) => Value::Unknown,
        (v, _) => v.clone(),
    }
}

/// The configured home, else the one in the state (it never moves), else the primary region, else the
/// first region by name.
pub(super) fn home_region(config: &Value, prior: &Value) -> Value {
    match (config.get("home_region"), prior.get("home_region")) {
        (Value::Null, Value::String(s)) if !s.is_empty() => Value::string(s),
        (Value::Null, _) => {
            let regions = config.get("region").as_map();
            let roles = regions
                .into_iter()
                .flatten()
                .map(|(n, r)| (n, r.get("role")));
            if roles.clone().any(|(_, role)| role.is_unknown()) {
                return Value::Unknown;
            }
            let primary = roles
                .filter(|(_, role)| {
                    role.as_str()
                        .is_some_and(|s| s.eq_ignore_ascii_case("primary"))
                })
                .map(|(n, _)| n.clone())
                .next();
            primary
                .or_else(|| regions.and_then(|m| m.keys().next().cloned()))
                .map_or(Value::Unknown, Value::String)
        }
        (v, _) => v.clone(),
    }
}

/// A configured `global_group_region` other than where the group is: Azure cannot move a group, so
/// the apply would leave it where it is and every plan would show the change again.
pub fn global_group_move(prior: &Value, config: &Value) -> Option<Diagnostic> {
    let (Some(is), Some(wanted)) = (
        prior
            .get("global_group_region")
            .as_str()
            .filter(|s| !s.is_empty()),
        config.get("global_group_region").as_str(),
    ) else {
        return None;
    };
    if is.eq_ignore_ascii_case(wanted) {
        return None;
    }
    let path = AttributePath::attr("global_group_region");
    Some(
        diag::error(
            "The global resource group cannot move",
            format!(
                "{path}: the group exists in \"{is}\" and Azure never changes a group's region; set global_group_region = \"{is}\" (or remove it), or move the group's resources to a group in \"{wanted}\" as the disaster-recovery guide describes, then apply"
            ),
        )
        .at(path),
    )
}
