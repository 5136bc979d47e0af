//! A new subscription, registered for none of the resource providers a topology uses: the plan reads
//! nothing there (and writes nothing), the apply registers each namespace once however many writes
//! meet the refusal at once, and converges; told not to register, the apply stops with an error that
//! names the namespace and the command that registers it, keeps what it made, and a re-run finishes.

mod support;

use arm_emulator::{Config, Emulator};
use bcdr::engine::{CancelSignal, RetryPolicy};
use bcdr::model::Registry;
use bcdr::{ArmClient, Error, TopologyClient};
use std::time::Duration;
use support::*;

const NAMESPACES: [&str; 3] = [
    "Microsoft.Network",
    "Microsoft.ContainerService",
    "Microsoft.ContainerRegistry",
];

fn new_subscription() -> Config {
    Config {
        unregistered: NAMESPACES.iter().map(|n| (*n).to_owned()).collect(),
        ..fast()
    }
}

fn registrations(emulator: &Emulator, namespace: &str) -> usize {
    let suffix = format!("/providers/{namespace}/register").to_ascii_lowercase();
    emulator
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.to_ascii_lowercase().ends_with(&suffix))
        .count()
}

fn topology3() -> bcdr::Topology {
    topology(
        "fresh",
        &[
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16"),
            ("northeurope", "10.3.0.0/16"),
        ],
    )
    .registry(Registry::default())
}

#[tokio::test]
async fn a_new_subscription_is_registered_once_per_namespace_and_converges() {
    let (emulator, client) = setup(new_subscription()).await;
    let t = topology3();
    let (plan, _) = client
        .plan(&t)
        .await
        .expect("plan reads a new subscription");
    assert!(plan.has_changes());
    assert!(writes(&emulator).is_empty(), "planning writes nothing");
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply registers what it needs");
    for namespace in NAMESPACES {
        assert_eq!(registrations(&emulator, namespace), 1, "{namespace}");
    }
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(!plan.has_changes());
    destroy_to_nothing(&emulator, &client, "fresh").await;
}

#[tokio::test]
async fn told_not_to_register_the_apply_names_the_namespace_and_keeps_its_progress() {
    let emulator = start(new_subscription()).await;
    let config = arm_config(&emulator).register_providers(false);
    let strict =
        TopologyClient::new(ArmClient::new(config).expect("client")).with_retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        });
    let t = topology3();
    let failure = strict
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect_err("nothing may be registered");
    let Error::Unregistered { namespace, detail } = &failure.error else {
        panic!("{failure}");
    };
    assert!(NAMESPACES.contains(&namespace.as_str()), "{namespace}");
    assert!(
        detail.contains("az provider register --namespace"),
        "{detail}"
    );
    assert!(
        !failure.status.regions["eastus"]
            .resource_group_id
            .is_empty(),
        "groups were made and kept"
    );
    assert_eq!(registrations(&emulator, namespace), 0);

    let client = support::client(&emulator, RetryPolicy::default(), None);
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("a re-run that may register converges");
    destroy_to_nothing(&emulator, &client, "fresh").await;
}
