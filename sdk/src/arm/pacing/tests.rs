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
    let (wait, first) = pacer.admit(&write, t0);
    assert_eq!(wait, Duration::ZERO);
    pacer.observe(first, &write, &report("subscription-writes", 150), t0);
    let mut in_flight = Vec::new();
    for _ in 0..100 {
        let (wait, ticket) = pacer.admit(&write, t0);
        assert_eq!(wait, Duration::ZERO);
        in_flight.push(ticket);
    }
    assert_eq!(pacer.stats(), PacingStats::default());
}

#[test]
fn below_the_floor_each_request_waits_for_the_refill_and_the_next_one_queues_behind() {
    let pacer = Pacer::default();
    let t0 = Instant::now();
    let write = class(&Method::Put, VNET);
    let (_, first) = pacer.admit(&write, t0);
    pacer.observe(first, &write, &report("subscription-writes", 15), t0);
    // 15 left, floor 20: six tokens short at 10/s; each request let through counts until answered.
    let (a, ta) = pacer.admit(&write, t0);
    let (b, tb) = pacer.admit(&write, t0);
    let (c, tc) = pacer.admit(&write, t0);
    assert_eq!(
        [a, b, c],
        [600, 700, 800].map(Duration::from_millis),
        "queued one refill interval apart"
    );
    // Two seconds on, the refill (20 tokens) has passed the queue (3 in flight): no wait.
    let later = t0 + Duration::from_secs(2);
    let (d, td) = pacer.admit(&write, later);
    assert_eq!(d, Duration::ZERO);
    let stats = pacer.stats();
    assert_eq!(stats.waits, 3);
    assert_eq!(stats.waited, Duration::from_millis(2100));
    // Answers report what ARM has left after each request: they replace the belief.
    for ticket in [ta, tb, tc, td] {
        pacer.observe(ticket, &write, &report("subscription-writes", 30), later);
    }
    assert_eq!(
        pacer.budget("x-ms-ratelimit-remaining-subscription-writes"),
        Some(Budget {
            name: "subscription-writes".into(),
            remaining: 30,
            lowest: 15,
        })
    );
    assert_eq!(pacer.admit(&write, later).0, Duration::ZERO);
}

#[test]
fn a_request_given_up_no_longer_counts() {
    let pacer = Pacer::default();
    let t0 = Instant::now();
    let write = class(&Method::Put, VNET);
    let (_, first) = pacer.admit(&write, t0);
    pacer.observe(first, &write, &report("subscription-writes", 15), t0);
    let (wait, cancelled) = pacer.admit(&write, t0);
    assert_eq!(wait, Duration::from_millis(600));
    drop(cancelled);
    assert_eq!(
        pacer.admit(&write, t0).0,
        Duration::from_millis(600),
        "the dropped request (no answer, or cancelled) left the queue"
    );
}

#[test]
fn budgets_are_kept_apart_and_each_class_waits_only_on_its_own() {
    let pacer = Pacer::default();
    let t0 = Instant::now();
    let vnet_write = class(&Method::Put, VNET);
    let vnet_delete = class(&Method::Delete, VNET);
    let afd_write = class(&Method::Put, ENDPOINT);
    for (class, budget, left) in [
        (&vnet_write, "subscription-writes", 190),
        (&vnet_delete, "subscription-deletes", 3),
        // afd-endpoint-update.json #0: a Cdn write reports resource-requests, not writes.
        (&afd_write, "subscription-resource-requests", 5),
    ] {
        let (_, ticket) = pacer.admit(class, t0);
        pacer.observe(ticket, class, &report(budget, left), t0);
    }
    assert_eq!(pacer.admit(&vnet_write, t0).0, Duration::ZERO);
    assert_eq!(
        pacer.admit(&vnet_delete, t0).0,
        Duration::from_millis(1800),
        "deletes: 3 left, floor 20, 10/s"
    );
    assert_eq!(
        pacer.admit(&afd_write, t0).0,
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
    let (_, ticket) = pacer.admit(&profile_write, t0);
    pacer.observe(
        ticket,
        &profile_write,
        &report("subscription-resource-requests", 10_799),
        t0,
    );
    let (_, ticket) = pacer.admit(&endpoint_write, t0);
    pacer.observe(
        ticket,
        &endpoint_write,
        &report("subscription-writes", 1_177),
        t0,
    );
    assert_eq!(pacer.budgets_of(&endpoint_write), ["subscription-writes"]);
    // Newer ARM reports a global budget beside the regional one: both are drawn on.
    let vnet = class(&Method::Put, VNET);
    let mut both = report("subscription-writes", 150);
    both.extend(report("subscription-global-writes", 100));
    let (_, ticket) = pacer.admit(&vnet, t0);
    pacer.observe(ticket, &vnet, &both, t0);
    assert_eq!(
        pacer.admit(&vnet, t0).0,
        Duration::from_millis(1340),
        "the global bucket (3000 at 150/s, floor 300) is the one short"
    );
}

#[test]
fn a_report_of_more_than_the_bucket_holds_raises_its_cap() {
    // ARM's older hourly limits report 1199 writes left (vnet-peering.json #1): believed, not capped
    // at the token bucket's 200.
    let pacer = Pacer::default();
    let t0 = Instant::now();
    let write = class(&Method::Put, VNET);
    let (_, ticket) = pacer.admit(&write, t0);
    pacer.observe(ticket, &write, &report("subscription-writes", 1_199), t0);
    let tickets: Vec<_> = (0..1_179).map(|_| pacer.admit(&write, t0)).collect();
    assert!(tickets.iter().all(|(w, _)| w.is_zero()));
    assert!(
        !pacer.admit(&write, t0).0.is_zero(),
        "the 1180th is paced: 20 left with 1179 in flight"
    );
}
