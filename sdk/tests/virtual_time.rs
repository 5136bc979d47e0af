//! The SDK against the emulator in this process on tokio's paused clock (what `--example simulation`
//! runs): minutes of Azure's time pass without waiting, and nothing is skipped for it. Every
//! long-running operation is polled at its resource provider's pace until the emulator says it
//! ended, the apply's virtual duration is no shorter than its longest provisioning time, and ARM's
//! throttling buckets (on) never answer 429. Its own test binary: the clock switch is process-wide.

use arm_emulator::{Config, Emulator, Throttle, default_latencies};
use bcdr::arm::transport::{Answer, Exchange, FnTransport, FreshTokens};
use bcdr::clock::TokioSleeper;
use bcdr::engine::CancelSignal;
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
use std::sync::Arc;
use std::time::Duration;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

#[tokio::test(start_paused = true)]
async fn an_apply_at_azures_pace_takes_no_wall_time_and_skips_no_poll() {
    arm_emulator::use_tokio_clock();
    let cluster_create = Duration::from_secs(342);
    let mut latencies = default_latencies();
    latencies.insert(
        "managedCluster.put".into(),
        u64::try_from(cluster_create.as_millis()).expect("ms"),
    );
    let emulator = Arc::new(
        Emulator::in_process(Config {
            latency_scale: 1.0,
            latencies,
            throttle: Some(Throttle::default()),
            ..Config::default()
        })
        .expect("emulator"),
    );
    let to = emulator.clone();
    let transport = FnTransport::new(
        move |x: Exchange| {
            let to = to.clone();
            Box::pin(async move {
                let a = to.handle(&x.method, &x.url, &x.headers, x.body).await;
                Answer {
                    status: a.status,
                    headers: a.headers,
                    body: a.body,
                }
            }) as futures::future::BoxFuture<'static, Answer>
        },
        Duration::from_millis(100),
        Arc::new(TokioSleeper),
    );
    let cloud = Cloud::custom(
        "https://management.azure.invalid",
        "https://login.azure.invalid",
    )
    .expect("cloud");
    let arm = ArmClient::new(
        ArmConfig::new(
            SUB,
            cloud,
            Credential::Custom({
                let issuer = emulator.clone();
                // Tokens on the virtual clock: one per request (see `FreshTokens`).
                Arc::new(FreshTokens::new(move || issuer.issue_token()))
            }),
        )
        .sleeper(Arc::new(TokioSleeper))
        .transport(Arc::new(transport)),
    )
    .expect("client");
    let client = TopologyClient::new(arm);
    let t = Topology::new("sim")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16"));

    let wall = std::time::Instant::now();
    let started = tokio::time::Instant::now();
    let applied = client
        .apply(&t, CancelSignal::never(), &|_| {})
        .await
        .expect("apply");
    let took = started.elapsed();
    assert!(applied.report.is_success());
    assert!(
        took >= cluster_create,
        "the clusters take Azure's time: {took:?}"
    );
    assert!(
        wall.elapsed() < took / 10,
        "virtual time, not waited: {:?} of wall time for {took:?}",
        wall.elapsed()
    );
    let log = emulator.requests();
    assert_eq!(log.iter().filter(|r| r.status == 429).count(), 0);
    // Each cluster's operation polled every 30 s until it ended: ceil(342 / 30) = 12 polls.
    for region in ["eastus", "westus"] {
        let polls = log
            .iter()
            .filter(|r| {
                r.method == "GET"
                    && r.path.contains(&format!(
                        "Microsoft.ContainerService/locations/{region}/operations"
                    ))
            })
            .count();
        assert_eq!(polls, 12, "{region}");
    }
    assert!(
        !client.plan(&t).await.expect("plan").0.has_changes(),
        "converged"
    );
}
