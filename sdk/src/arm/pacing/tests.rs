use super::*;

fn report(name: &str, left: u64) -> Vec<(String, String)> {
    vec![(format!("x-ms-ratelimit-remaining-{name}"), left.to_string())]
}

const VNET: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
const ENDPOINT: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/p/afdEndpoints/e";

#[test]
fn classes_name_the_method_kind_provider_and_type_chain() {
    assert_eq!(
        class(&Method::Put, VNET),
        "write microsoft.network/virtualnetworks"
    );
    assert_eq!(
        class(
            &Method::Put,
            &format!("{VNET}/virtualNetworkPeerings/p?api-version=1")
        ),
        "write microsoft.network/virtualnetworks/virtualnetworkpeerings"
    );
    assert_eq!(
        class(
            &Method::Get,
            "https://management.azure.com/subscriptions/s/providers/Microsoft.Network/locations/westus/operations/1?api-version=1"
        ),
        "read microsoft.network/locations/operations"
    );
    assert_eq!(
        class(&Method::Delete, "/subscriptions/s/resourcegroups/rg"),
        "delete microsoft.resources/subscriptions/resourcegroups"
    );
    assert_eq!(
        class(
            &Method::Post,
            "/subscriptions/s/providers/Microsoft.Cdn/register"
        ),
        "write microsoft.cdn/register"
    );
}

#[test]
fn nothing_waits_before_arm_reports_a_budget_or_while_it_is_above_its_floor() {
    let pacer = Pacer::default();
    let t0 = Instant::now();
    let write = class(&Method::Put, VNET);
    assert_eq!(pacer.admit(&write, t0), Duration::ZERO);
    pacer.observe(&write, &report("subscription-writes", 150), t0);
    for _ in 0..100 {
        assert_eq!(pacer.admit(&write, t0), Duration::ZERO);
    }
    assert_eq!(pacer.stats(), PacingStats::default());
}

#[test]
fn below_the_floor_each_request_waits_for_the_refill_and_the_next_one_queues_behind() {
    let pacer = Pacer::default();
    let t0 = Instant::now();
    let write = class(&Method::Put, VNET);
    pacer.observe(&write, &report("subscription-writes", 15), t0);
    // 15 left, floor 20: six tokens short at 10/s.
    assert_eq!(pacer.admit(&write, t0), Duration::from_millis(600));
    assert_eq!(pacer.admit(&write, t0), Duration::from_millis(700));
    assert_eq!(pacer.admit(&write, t0), Duration::from_millis(800));
    // Two seconds on, the refill (20 tokens) has passed the queue (3 taken): no wait.
    let later = t0 + Duration::from_secs(2);
    assert_eq!(pacer.admit(&write, later), Duration::ZERO);
    let stats = pacer.stats();
    assert_eq!(stats.waits, 3);
    assert_eq!(stats.waited, Duration::from_millis(2100));
    assert_eq!(
        pacer.budget("x-ms-ratelimit-remaining-subscription-writes"),
        Some(Budget {
            name: "subscription-writes".into(),
            remaining: 15,
            lowest: 15,
        })
    );
}

#[test]
fn budgets_are_kept_apart_and_each_class_waits_only_on_its_own() {
    let pacer = Pacer::default();
    let t0 = Instant::now();
    let vnet_write = class(&Method::Put, VNET);
    let vnet_delete = class(&Method::Delete, VNET);
    let afd_write = class(&Method::Put, ENDPOINT);
    pacer.observe(&vnet_write, &report("subscription-writes", 190), t0);
    pacer.observe(&vnet_delete, &report("subscription-deletes", 3), t0);
    // afd-endpoint-update.json #0: a Cdn write reports resource-requests, not writes.
    pacer.observe(&afd_write, &report("subscription-resource-requests", 5), t0);
    assert_eq!(pacer.admit(&vnet_write, t0), Duration::ZERO);
    assert_eq!(
        pacer.admit(&vnet_delete, t0),
        Duration::from_millis(1800),
        "deletes: 3 left, floor 20, 10/s"
    );
    assert_eq!(
        pacer.admit(&afd_write, t0),
        Duration::from_secs(6),
        "resource-requests: an unknown bucket, refilled at a conservative 1/s to a floor of 10"
    );
    assert_eq!(
        pacer.budgets_of(&afd_write),
        ["subscription-resource-requests"]
    );
    assert_eq!(
        pacer
            .budgets()
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>(),
        [
            "subscription-deletes",
            "subscription-resource-requests",
            "subscription-writes"
        ]
    );
}

#[test]
fn a_class_draws_on_the_budgets_its_last_answer_reported() {
    let pacer = Pacer::default();
    let t0 = Instant::now();
    // traffic-manager.json: a profile PUT reports resource-requests, its endpoint PUT writes.
    let profile =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficmanagerprofiles/tm";
    let endpoint = format!("{profile}/externalEndpoints/e");
    let profile_write = class(&Method::Put, profile);
    let endpoint_write = class(&Method::Put, &endpoint);
    assert_eq!(
        pacer.budgets_of(&endpoint_write),
        ["subscription-resource-requests"],
        "guessed before any answer"
    );
    pacer.observe(
        &profile_write,
        &report("subscription-resource-requests", 10_799),
        t0,
    );
    pacer.observe(&endpoint_write, &report("subscription-writes", 1_177), t0);
    assert_eq!(pacer.budgets_of(&endpoint_write), ["subscription-writes"]);
    // Newer ARM reports a global budget beside the regional one: both are drawn on.
    let mut both = report("subscription-writes", 150);
    both.extend(report("subscription-global-writes", 100));
    pacer.observe(&class(&Method::Put, VNET), &both, t0);
    assert_eq!(
        pacer.admit(&class(&Method::Put, VNET), t0),
        Duration::from_millis(1340),
        "the global bucket (3000 at 150/s, floor 300) is the one short"
    );
}

#[test]
fn a_report_lower_than_the_belief_wins_and_a_higher_one_does_not_undo_the_queue() {
    let pacer = Pacer::default();
    let t0 = Instant::now();
    let write = class(&Method::Put, VNET);
    pacer.observe(&write, &report("subscription-writes", 100), t0);
    // Another client drew the bucket down: ARM's word is taken.
    pacer.observe(&write, &report("subscription-writes", 12), t0);
    assert_eq!(pacer.admit(&write, t0), Duration::from_millis(900));
    // An answer sent before that request reports more left: the request let through still counts.
    pacer.observe(&write, &report("subscription-writes", 30), t0);
    assert_eq!(pacer.admit(&write, t0), Duration::from_millis(1000));
    let budget = pacer.budget("subscription-writes").expect("reported");
    assert_eq!((budget.remaining, budget.lowest), (30, 12));
}
