//! Network-like behaviour: seeded chaos (a share of ARM requests fails with 500 or 503, the same seed
//! failing the same requests of the same sequence) and a request round-trip latency.

mod support;

use arm_emulator::{Chaos, Config};
use reqwest::Method;
use support::{Arm, SUB, fast};

async fn statuses(seed: u64) -> Vec<u16> {
    let arm = Arm::start(Config {
        chaos: Some(Chaos { rate: 0.3, seed }),
        ..fast()
    })
    .await;
    let mut out = Vec::new();
    for _ in 0..60 {
        let (status, body) = arm
            .req(
                Method::GET,
                &format!("/subscriptions/{SUB}/resourcegroups?api-version=2024-03-01"),
                None,
            )
            .await;
        if status != 200 {
            let code = body["error"]["code"].as_str().unwrap_or_default();
            assert!(
                matches!(
                    (status, code),
                    (500, "InternalServerError") | (503, "ServiceUnavailable")
                ),
                "{status} {body}"
            );
        }
        out.push(status);
    }
    out
}

#[tokio::test]
async fn the_same_seed_fails_the_same_requests() {
    let (a, b, c) = (statuses(7).await, statuses(7).await, statuses(8).await);
    assert_eq!(a, b, "same seed, same failures");
    assert_ne!(a, c, "another seed, other failures");
    let failed = a.iter().filter(|s| **s != 200).count();
    assert!((8..=30).contains(&failed), "about 30% of 60: {failed}");
    assert!(a.contains(&500) && a.contains(&503), "{a:?}");
}

#[tokio::test]
async fn a_request_latency_delays_every_arm_answer_and_zero_removes_it() {
    let arm = Arm::start(fast()).await;
    let path = format!("/subscriptions/{SUB}/resourcegroups?api-version=2024-03-01");
    arm.emulator
        .set_request_latency(std::time::Duration::from_millis(40));
    let t0 = std::time::Instant::now();
    let (status, _) = arm.req(Method::GET, &path, None).await;
    assert_eq!(status, 200);
    assert!(
        t0.elapsed() >= std::time::Duration::from_millis(40),
        "waited the round trip: {:?}",
        t0.elapsed()
    );
    arm.emulator.set_request_latency(std::time::Duration::ZERO);
    let (status, _) = arm.req(Method::GET, &path, None).await;
    assert_eq!(status, 200);
}
