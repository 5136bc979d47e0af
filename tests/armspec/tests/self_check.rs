//! The validator itself: it accepts the specs' own examples and catches what does not match.

use armspec::{Specs, files};
use serde_json::json;

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/demo";

#[test]
fn catches_unknown_properties_wrong_types_undeclared_statuses_and_missing_bodies() {
    let Some(specs) = Specs::load("armspec self check") else {
        return;
    };
    let good = json!({ "id": RG, "name": "demo", "type": "Microsoft.Resources/resourceGroups", "location": "eastus", "tags": {}, "properties": { "provisioningState": "Succeeded" } });
    assert!(
        specs
            .check_response(files::RESOURCES, "PUT", RG, 201, Some(&good))
            .is_empty()
    );
    let mut bad = good.clone();
    bad["invented"] = json!(true);
    bad["tags"] = json!({ "a": 1 });
    let errors = specs.check_response(files::RESOURCES, "PUT", RG, 201, Some(&bad));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("$.invented: not in the spec")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("$.tags.a: expected a string")),
        "{errors:#?}"
    );
    assert_eq!(
        specs.check_response(files::RESOURCES, "PUT", RG, 202, Some(&good)),
        [
            "PUT /subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/demo: status 202 is not declared"
        ]
    );
    assert!(
        !specs
            .check_response(files::RESOURCES, "GET", RG, 200, None)
            .is_empty(),
        "a declared body is required"
    );
    let error = json!({ "error": { "code": "ResourceGroupNotFound", "message": "x" } });
    assert!(
        specs
            .check_response(files::RESOURCES, "GET", RG, 404, Some(&error))
            .is_empty(),
        "errors match the default response"
    );
    let flat = json!({ "code": "X", "message": "y" });
    assert!(
        !specs
            .check_response(files::RESOURCES, "GET", RG, 404, Some(&flat))
            .is_empty(),
        "an unwrapped error body is caught"
    );
}

#[test]
fn accepts_the_specs_own_examples() {
    let Some(specs) = Specs::load("armspec examples") else {
        return;
    };
    let dir = armspec::location().join(
        "specification/network/resource-manager/Microsoft.Network/stable/2024-03-01/examples",
    );
    for (example, method) in [
        ("VirtualNetworkGet.json", "GET"),
        ("VirtualNetworkCreateSubnet.json", "PUT"),
        ("VirtualNetworkPeeringCreate.json", "PUT"),
    ] {
        let text = std::fs::read_to_string(dir.join(example)).expect("example");
        let ex: serde_json::Value = serde_json::from_str(&text).expect("json");
        let p = &ex["parameters"];
        let mut path = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/virtualNetworks/{}",
            p["subscriptionId"].as_str().unwrap_or("s"),
            p["resourceGroupName"].as_str().unwrap_or("rg"),
            p["virtualNetworkName"].as_str().unwrap_or("v")
        );
        if let Some(peering) = p["virtualNetworkPeeringName"].as_str() {
            path.push_str(&format!("/virtualNetworkPeerings/{peering}"));
        }
        for (status, response) in ex["responses"].as_object().expect("responses") {
            let errors = specs.check_response(
                files::VIRTUAL_NETWORK,
                method,
                &path,
                status.parse().expect("status"),
                response.get("body"),
            );
            assert!(errors.is_empty(), "{example} {status}: {errors:#?}");
        }
    }
}
