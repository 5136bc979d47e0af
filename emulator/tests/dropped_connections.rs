//! Dropped connections as a fault: the client gets no answer at all; dropped before processing the
//! request has no effect, dropped after it the change is made. The request log shows each drop.

mod support;

use arm_emulator::{FaultAction, FaultRule};
use serde_json::json;
use support::{Arm, SUB, fast, rg_path};

#[tokio::test]
async fn a_dropped_connection_answers_nothing_before_or_after_the_change() {
    let arm = Arm::start(fast()).await;
    for (group, after_processing) in [("before", false), ("after", true)] {
        arm.emulator.add_fault(FaultRule {
            method: "PUT".into(),
            path_contains: format!("/resourcegroups/{group}"),
            action: FaultAction::Drop { after_processing },
            remaining: 1,
        });
        let sent = arm
            .http
            .put(format!("{}{}", arm.emulator.endpoint(), rg_path(group)))
            .bearer_auth(&arm.token)
            .json(&json!({ "location": "eastus" }))
            .send()
            .await;
        assert!(sent.is_err(), "{group}: no answer at all: {sent:?}");
        let exists = arm.emulator.resource_ids().iter().any(|id| {
            id.eq_ignore_ascii_case(&format!("/subscriptions/{SUB}/resourceGroups/{group}"))
        });
        assert_eq!(exists, after_processing, "{group}");
    }
    let drops = arm
        .emulator
        .requests()
        .iter()
        .filter(|r| r.code.as_deref() == Some("ConnectionDropped"))
        .count();
    assert_eq!(drops, 2);
    // The next request is served again (the fault was used up).
    let (status, _) = arm
        .req(
            reqwest::Method::PUT,
            &rg_path("before"),
            Some(json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!(status, 201);
}
