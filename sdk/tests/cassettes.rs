//! The SDK's ARM client against real Azure answers: each recording of `shared/azure-recordings` that
//! shows a long-running operation (or a synchronous one that must not be polled) is served in order by
//! a cassette server, and the SDK's public client (`put`, `delete`) must send exactly the recorded
//! requests, in the recorded order, and return the recorded result. Waits go through a virtual clock:
//! none is spent, each is asserted (Azure sent no `Retry-After` in any of these, so each wait is the
//! resource provider's default times the client's scale).

mod cassette;

use azure_core::http::Method;
use bcdr::ArmClient;
use bcdr::arm::{
    container_registry, front_door, managed_cluster, peering, resource_group, role_assignment,
    storage, traffic_manager, virtual_network,
};
use cassette::{Cassette, Interaction, Recording, VirtualClock};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// A recording being played to a client.
struct Play {
    recording: Recording,
    cassette: Cassette,
    arm: ArmClient,
    clock: Arc<VirtualClock>,
}

impl Play {
    /// The request body of interaction `i` (the SDK sends it as the CLI did).
    fn body(&self, i: usize) -> Value {
        self.recording
            .at(i)
            .request_body
            .unwrap_or_else(|| json!({}))
    }

    /// The recorded answer's body of interaction `i`.
    fn answer(&self, i: usize) -> Value {
        self.recording
            .at(i)
            .response_body
            .unwrap_or_else(|| panic!("#{i} has no body"))
    }

    fn resource(&self, i: usize) -> String {
        self.recording.at(i).resource().to_owned()
    }
}

/// Serves `pick(recording)` of `file` to a client whose polling defaults are scaled by `scale`;
/// `None` (said loudly) when the recordings are absent.
async fn play_with(
    test: &str,
    file: &str,
    scale: f64,
    pick: impl FnOnce(&Recording) -> Vec<Interaction>,
) -> Option<Play> {
    let recording = Recording::load(test, file)?;
    let cassette = Cassette::serve(pick(&recording)).await;
    let clock = Arc::new(VirtualClock::default());
    let arm = cassette.client(scale, clock.clone());
    Some(Play {
        recording,
        cassette,
        arm,
        clock,
    })
}

async fn play(test: &str, file: &str, indices: &[usize]) -> Option<Play> {
    play_with(test, file, 1.0, |r| r.pick(indices.iter().copied())).await
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn served(indices: &[usize]) -> Vec<Option<usize>> {
    indices.iter().map(|i| Some(*i)).collect()
}

#[tokio::test]
async fn a_front_door_endpoint_update_is_followed_on_its_operation_not_on_its_202_body() {
    let Some(p) = play(
        "afd-endpoint-update",
        "afd-endpoint-update.json",
        &[0, 1, 2, 3],
    )
    .await
    else {
        return;
    };
    let endpoint = p.resource(0);
    assert_eq!(
        p.answer(0)["properties"]["provisioningState"],
        "Succeeded",
        "the trap: the 202 already reads Succeeded"
    );
    let result = p
        .arm
        .put(&endpoint, front_door::API_VERSION, &p.body(0), &[])
        .await
        .expect("put");
    assert_eq!(result, p.answer(3), "the GET after the operation ended");
    assert_eq!(
        p.cassette.served(),
        served(&[0, 1, 2, 3]),
        "PUT, the operation InProgress, Succeeded, then one GET: the SDK did not stop at the 202"
    );
    assert_eq!(
        p.clock.waits(),
        [secs(30), secs(30)],
        "no Retry-After: Microsoft.Cdn's 30 s"
    );
    let sent = p.cassette.sent();
    assert_eq!(sent[0].query("api-version"), Some(front_door::API_VERSION));
    assert_eq!(
        sent[1].query("api-version"),
        Some("2023-05-01"),
        "the operation URL is followed as Azure gave it (a relative one here), query and all"
    );
    assert_eq!(sent[1].query("t"), Some("638372737902652294"));
    assert_eq!(sent[3].query("api-version"), Some(front_door::API_VERSION));
    assert_eq!(
        sent[0].body,
        Some(p.body(0)),
        "the PUT carried the body given"
    );
    assert!(
        sent[1..].iter().all(|s| s.body.is_none()),
        "polls and reads carry none"
    );
    assert!(
        sent.iter()
            .all(|s| s.authorization.as_deref() == Some("Bearer cassette-token")),
        "{sent:?}"
    );
    assert_eq!(p.cassette.tokens(), 1);
    // Cdn reports its own budget, not writes: 98 after the PUT, 499 after the read.
    let budget = p
        .arm
        .budget("subscription-resource-requests")
        .expect("reported");
    assert_eq!((budget.lowest, budget.remaining), (98, 499));
    assert_eq!(
        p.arm.budgets_for(Method::Put, &endpoint),
        ["subscription-resource-requests"]
    );
    assert_eq!(p.arm.writes_remaining(), None);
    p.cassette.assert_played();
}

#[tokio::test]
async fn a_storage_account_is_the_body_of_its_location_poll() {
    let Some(p) = play("storage-create", "storage-create.json", &[1, 2]).await else {
        return;
    };
    assert_eq!(p.recording.at(1).response_body, None, "202 with no body");
    let result = p
        .arm
        .put(&p.resource(1), storage::API_VERSION, &p.body(1), &[])
        .await
        .expect("put");
    assert_eq!(
        result,
        p.answer(2),
        "the account as the Location poll gave it"
    );
    assert_eq!(
        p.cassette.served(),
        served(&[1, 2]),
        "one poll of the Location and no GET after it"
    );
    assert_eq!(p.clock.waits(), [secs(15)], "Microsoft.Storage's 15 s");
    let poll = &p.cassette.sent()[1];
    assert_eq!(
        (poll.query("monitor"), poll.query("api-version")),
        (Some("true"), Some("2021-02-01")),
        "the absolute Location, moved to the cassette, its query kept"
    );
    assert_eq!(p.arm.writes_remaining(), Some(1189));
    p.cassette.assert_played();
}

#[tokio::test]
async fn an_aks_create_is_polled_at_its_providers_pace_times_the_scale_then_read_once() {
    let Some(p) = play_with("aks-create", "aks-create.json", 0.001, |r| r.pick(0..=8)).await else {
        return;
    };
    assert_eq!(p.answer(0)["properties"]["provisioningState"], "Creating");
    let result = p
        .arm
        .put(
            &p.resource(0),
            managed_cluster::API_VERSION,
            &p.body(0),
            &[],
        )
        .await
        .expect("put");
    assert_eq!(result, p.answer(8));
    assert_eq!(result["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        p.cassette.served(),
        served(&[0, 1, 2, 3, 4, 5, 6, 7, 8]),
        "the PUT, seven operation polls (six InProgress, one Succeeded), one GET"
    );
    assert_eq!(
        p.clock.waits(),
        vec![Duration::from_millis(30); 7],
        "Microsoft.ContainerService's 30 s times 0.001"
    );
    let sent = p.cassette.sent();
    assert!(
        sent[1..8]
            .iter()
            .all(|s| s.query("api-version") == Some("2016-03-30")),
        "the operation's own api-version, not the SDK's: {sent:?}"
    );
    assert_eq!(
        sent[8].query("api-version"),
        Some(managed_cluster::API_VERSION)
    );
    assert_eq!(p.arm.writes_remaining(), Some(1197));
    p.cassette.assert_played();
}

#[tokio::test]
async fn a_registry_answered_at_once_is_not_polled_and_a_replication_follows_each_fresh_status_url()
{
    let Some(p) = play("acr-replication", "acr-replication.json", &[0, 3, 4, 5, 6]).await else {
        return;
    };
    let registry = p
        .arm
        .put(
            &p.resource(0),
            container_registry::API_VERSION,
            &p.body(0),
            &[],
        )
        .await
        .expect("registry");
    assert_eq!(
        registry,
        p.answer(0),
        "200 Succeeded: the answer is the registry"
    );
    assert_eq!(p.cassette.served(), served(&[0]));
    assert!(p.clock.waits().is_empty());

    let replication = p
        .arm
        .put(
            &p.resource(3),
            container_registry::API_VERSION,
            &p.body(3),
            &[],
        )
        .await
        .expect("replication");
    assert_eq!(replication, p.answer(6));
    assert_eq!(
        p.cassette.served(),
        served(&[0, 3, 4, 5, 6]),
        "the document's Creating is running, not a failure; then one GET"
    );
    assert_eq!(
        p.clock.waits(),
        [secs(10), secs(10)],
        "Microsoft.ContainerRegistry's 10 s"
    );
    let t = |header: Option<&str>| {
        let url = url::Url::parse(header.expect("header")).expect("url");
        url.query_pairs()
            .find(|(k, _)| k == "t")
            .map(|(_, v)| v.into_owned())
    };
    let sent = p.cassette.sent();
    assert_eq!(
        sent[2].query("t").map(str::to_owned),
        t(p.recording.at(3).header("azure-asyncoperation")),
        "the first poll uses the PUT's URL"
    );
    assert_eq!(
        sent[3].query("t").map(str::to_owned),
        t(p.recording.at(4).header("azure-asyncoperation")),
        "the second uses the fresh one the first poll's answer carried"
    );
    p.cassette.assert_played();
}

#[tokio::test]
async fn network_writes_follow_their_operation_and_a_peering_delete_ends_with_it() {
    let picked = [1, 2, 3, 44, 45, 46, 47, 48, 49, 50, 54, 55, 56, 57, 58];
    let Some(p) = play("vnet-peering", "vnet-peering.json", &picked).await else {
        return;
    };
    let vnet = p
        .arm
        .put(
            &p.resource(1),
            virtual_network::API_VERSION,
            &p.body(1),
            &[],
        )
        .await
        .expect("vnet");
    assert_eq!(
        (
            &p.answer(1)["properties"]["provisioningState"],
            &vnet["properties"]["provisioningState"]
        ),
        (&json!("Updating"), &json!("Succeeded")),
        "a Network create answers Updating; the read after its operation, Succeeded"
    );
    assert_eq!(vnet, p.answer(3));
    let first_side = p
        .arm
        .put(&p.resource(44), peering::API_VERSION, &p.body(44), &[])
        .await
        .expect("peering2");
    assert_eq!(first_side, p.answer(46));
    assert_eq!(first_side["properties"]["peeringState"], "Initiated");
    let second_side = p
        .arm
        .put(&p.resource(47), peering::API_VERSION, &p.body(47), &[])
        .await
        .expect("peering1");
    assert_eq!(second_side, p.answer(50));
    let updated = p
        .arm
        .put(&p.resource(54), peering::API_VERSION, &p.body(54), &[])
        .await
        .expect("peering1 update");
    assert_eq!(
        updated,
        p.answer(56),
        "an update answers 200 Updating: followed the same"
    );
    p.arm
        .delete(&p.resource(57), peering::API_VERSION)
        .await
        .expect("delete");
    assert_eq!(
        p.cassette.served(),
        served(&picked),
        "each write: its operation, then one GET; the delete (202, both headers): its operation only"
    );
    assert_eq!(
        p.clock.waits(),
        vec![secs(10); 6],
        "Microsoft.Network's 10 s before each of the six operation polls"
    );
    let deletes = p.arm.budget("subscription-deletes").expect("deletes");
    assert_eq!(deletes.remaining, 14996);
    let writes = p.arm.budget("subscription-writes").expect("writes");
    assert_eq!((writes.lowest, writes.remaining), (1188, 1195));
    p.cassette.assert_played();
}

#[tokio::test]
async fn a_group_delete_is_polled_on_its_location_and_a_group_create_is_not_polled() {
    let Some(p) = play("resource-group", "resource-group.json", &[0, 1, 2, 3, 4, 6]).await else {
        return;
    };
    p.arm
        .delete(&p.resource(0), resource_group::API_VERSION)
        .await
        .expect("delete");
    assert_eq!(
        p.cassette.served(),
        served(&[0, 1, 2, 3, 4]),
        "202 + Location; three polls answered 202, the fourth 200 with no body: done"
    );
    assert_eq!(
        p.clock.waits(),
        vec![secs(15); 4],
        "Microsoft.Resources' 15 s"
    );
    assert_eq!(
        p.arm.budget("subscription-deletes").map(|b| b.remaining),
        Some(14994)
    );
    let group = p
        .arm
        .put(&p.resource(6), resource_group::API_VERSION, &p.body(6), &[])
        .await
        .expect("create");
    assert_eq!(group, p.answer(6), "201 Succeeded: the answer is the group");
    assert_eq!(p.cassette.served(), served(&[0, 1, 2, 3, 4, 6]));
    assert_eq!(
        p.clock.waits().len(),
        4,
        "no wait for the synchronous create"
    );
    p.cassette.assert_played();
}

#[tokio::test]
async fn traffic_manager_is_synchronous_and_paced_on_its_own_budgets() {
    let Some(p) = play("traffic-manager", "traffic-manager.json", &[1, 14, 16]).await else {
        return;
    };
    let profile = p
        .arm
        .put(
            &p.resource(1),
            traffic_manager::API_VERSION,
            &p.body(1),
            &[],
        )
        .await
        .expect("profile");
    assert_eq!(
        profile,
        p.answer(1),
        "201 with no provisioningState and no headers: done"
    );
    let endpoint = p.resource(14);
    p.arm
        .delete(&endpoint, traffic_manager::API_VERSION)
        .await
        .expect("endpoint delete");
    p.arm
        .delete(&p.resource(16), traffic_manager::API_VERSION)
        .await
        .expect("profile delete");
    assert_eq!(p.cassette.served(), served(&[1, 14, 16]));
    assert!(p.clock.waits().is_empty(), "{:?}", p.clock.waits());
    assert_eq!(
        p.arm
            .budget("subscription-resource-requests")
            .map(|b| b.remaining),
        Some(10799)
    );
    assert_eq!(
        p.arm.budget("subscription-deletes").map(|b| b.remaining),
        Some(14991)
    );
    assert_eq!(
        p.arm.budgets_for(Method::Delete, &endpoint),
        ["subscription-deletes"],
        "an endpoint delete drew on deletes"
    );
    assert_eq!(
        p.arm.budgets_for(Method::Delete, &p.resource(16)),
        ["subscription-resource-requests"],
        "the profile delete on resource-requests"
    );
    p.cassette.assert_played();
}

#[tokio::test]
async fn a_role_assignment_is_created_at_once() {
    let Some(p) = play("role-assignment", "role-assignment.json", &[4]).await else {
        return;
    };
    let assignment = p
        .arm
        .put(
            &p.resource(4),
            role_assignment::API_VERSION,
            &p.body(4),
            &[],
        )
        .await
        .expect("role assignment");
    assert_eq!(assignment, p.answer(4));
    assert_eq!(p.cassette.served(), served(&[4]));
    assert!(p.clock.waits().is_empty());
    assert_eq!(p.arm.writes_remaining(), Some(1198));
    p.cassette.assert_played();
}

#[tokio::test]
async fn a_cdn_operation_whose_error_code_is_none_is_still_running() {
    // The recording ends with the operation InProgress (`"error":{"code":"None"}`, twice). To see the
    // SDK through to the end, the cassette then serves two answers no recording holds, shaped as
    // afd-endpoint-update.json #2 and #3: the operation Succeeded, and the profile read after it.
    let Some(p) = play_with("afd-profile", "afd-profile.json", 1.0, |r| {
        let op = r.at(2);
        let mut profile = r.at(1).response_body.expect("profile body");
        profile["properties"]["provisioningState"] = json!("Succeeded");
        profile["properties"]["resourceState"] = json!("Active");
        let mut picked = r.pick([1, 2, 3]);
        picked.push(Interaction::made_up(
            "GET",
            &op.path,
            200,
            &[],
            Some(json!({ "status": "Succeeded", "error": { "code": "None", "message": null } })),
        ));
        picked.push(Interaction::made_up(
            "GET",
            r.at(1).resource(),
            200,
            &[],
            Some(profile),
        ));
        picked
    })
    .await
    else {
        return;
    };
    assert_eq!(p.answer(2)["error"]["code"], "None");
    let result = p
        .arm
        .put(&p.resource(1), front_door::API_VERSION, &p.body(1), &[])
        .await
        .expect("put");
    assert_eq!(result["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        p.cassette.served(),
        [Some(1), Some(2), Some(3), None, None],
        "past both recorded InProgress documents to the (made-up) end"
    );
    assert_eq!(p.clock.waits(), vec![secs(30); 3]);
    p.cassette.assert_played();
}

#[tokio::test]
async fn at_the_end_of_the_cdn_recording_the_sdk_is_still_polling() {
    // Nothing made up: the cassette ends after #3; the SDK's next request must be the same
    // operation URL again (refused by the played cassette), not an error of its own.
    let Some(p) = play("afd-profile-ends", "afd-profile.json", &[1, 2, 3]).await else {
        return;
    };
    let error = p
        .arm
        .put(&p.resource(1), front_door::API_VERSION, &p.body(1), &[])
        .await
        .expect_err("the cassette ran out");
    assert_eq!(error.code(), Some("CassetteMismatch"), "{error}");
    let requests = p.cassette.requests();
    assert_eq!(requests.len(), 4, "{requests:#?}");
    assert_eq!(
        requests[3].to_ascii_lowercase(),
        format!("get {}", p.recording.at(2).resource().to_ascii_lowercase()),
        "a third poll of the operation"
    );
    assert_eq!(p.cassette.served(), [Some(1), Some(2), Some(3), None]);
}

#[tokio::test]
async fn a_write_below_its_budgets_floor_waits_for_the_refill_through_the_sleeper() {
    // Made-up answers (no recording shows a budget this low): three synchronous group PUTs reporting
    // 5, then 4, then 150 writes left.
    let group = format!("/subscriptions/{}/resourcegroups/paced", cassette::SUB);
    let answers = [5, 4, 150].map(|left| {
        Interaction::made_up(
            "PUT",
            &group,
            201,
            &[(
                "x-ms-ratelimit-remaining-subscription-writes",
                &left.to_string(),
            )],
            Some(json!({ "id": group, "properties": { "provisioningState": "Succeeded" } })),
        )
    });
    let cassette = Cassette::serve(answers.to_vec()).await;
    let clock = Arc::new(VirtualClock::default());
    let arm = cassette.client(1.0, clock.clone());
    let body = json!({ "location": "westus" });
    for _ in 0..3 {
        arm.put(&group, resource_group::API_VERSION, &body, &[])
            .await
            .expect("put");
    }
    // 5 left, floor 20 at 10/s: 1.6 s; ARM then says 4 (no refill seen): 1.7 s; then 150, and
    // nothing more to wait for.
    assert_eq!(
        clock.waits(),
        [Duration::from_millis(1600), Duration::from_millis(1700)]
    );
    let stats = arm.pacing_stats();
    assert_eq!(
        (stats.waits, stats.waited),
        (2, Duration::from_millis(3300))
    );
    assert_eq!(arm.writes_remaining(), Some(150));
    cassette.assert_played();
}
