//! `ValidateEphemeralResourceConfig`: both arguments present and not empty (before any ARM call).

use crate::diag::{self, Diagnostics};

use crate::value::Value;

pub fn validate(config: &Value) -> Diagnostics {
    ["topology", "region"]
        .into_iter()
        .filter(|a| config.get(a).as_str().is_some_and(str::is_empty))
        .map(|a| {
            diag::error_at(
                &[a],
                format!("Empty {a}"),
                format!("{a} = \"\": name the topology's {a} (e.g. `bcdr_topology.shop.name`, `\"eastus\"`)"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn an_empty_argument_is_named() {
        let config = Value::Map(BTreeMap::from([
            ("topology".into(), Value::string("shop")),
            ("region".into(), Value::string("")),
        ]));
        let diags = validate(&config);
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].detail.starts_with("region = \"\""),
            "{:?}",
            diags[0]
        );
        assert!(
            validate(&Value::Map(BTreeMap::from([
                ("topology".into(), Value::string("shop")),
                ("region".into(), Value::Unknown),
            ])))
            .is_empty()
        );
    }
}
