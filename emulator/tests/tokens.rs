//! The token endpoints the emulator serves in Entra ID's place: client credentials with a secret or a
//! federated client assertion, and a managed identity endpoint in App Service's shape.

mod support;

use arm_emulator::{Config, Emulator};
use serde_json::Value;
use support::{fast, https_client as http};

#[tokio::test]
async fn token_endpoint_checks_the_configured_secret() {
    let emulator = Emulator::start(Config {
        client_secret: Some("right".into()),
        ..fast()
    })
    .await
    .expect("starts");
    let http = http(&emulator);
    let url = format!("{}/t/oauth2/v2.0/token", emulator.endpoint());
    let wrong = http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "me"),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<Value>().await.expect("json")["error"],
        "invalid_client"
    );
    let right = http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "me"),
            ("client_secret", "right"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn token_endpoint_takes_a_federated_client_assertion() {
    let emulator = Emulator::start(fast()).await.expect("starts");
    let http = http(&emulator);
    let url = format!("{}/t/oauth2/v2.0/token", emulator.endpoint());
    let post = |assertion: &'static str| {
        http.post(&url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "me"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion),
            ])
            .send()
    };
    let malformed = post("not-a-jwt").await.expect("send");
    assert_eq!(malformed.status(), 400);
    let body = malformed.json::<Value>().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("AADSTS50027"))
    );
    let ok = post("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2ln")
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    let token = ok.json::<Value>().await.expect("json");
    assert!(
        token["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
}

#[tokio::test]
async fn managed_identity_endpoint_wants_its_header_and_a_resource() {
    let emulator = Emulator::start(fast()).await.expect("starts");
    let http = http(&emulator);
    let url = format!("{}/_msi/token", emulator.endpoint());
    let good = format!("{url}?api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com");
    let bare = http.get(&good).send().await.expect("send");
    assert_eq!(bare.status(), 401, "no X-IDENTITY-HEADER");
    let wrong_version = http
        .get(format!("{url}?api-version=2017-09-01&resource=r"))
        .header("x-identity-header", "h")
        .send()
        .await
        .expect("send");
    assert_eq!(wrong_version.status(), 400);
    let ok = http
        .get(&good)
        .header("x-identity-header", "h")
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    let token = ok.json::<Value>().await.expect("json");
    assert_eq!(token["resource"], "https://management.azure.com");
    let expires: u64 = token["expires_on"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("expires_on is a string of epoch seconds, as App Service answers");
    assert!(expires > 1_700_000_000);
    let bearer = token["access_token"].as_str().expect("token");
    let locations = http
        .get(format!(
            "{}/subscriptions/00000000-0000-0000-0000-000000000001/locations?api-version=2022-12-01",
            emulator.endpoint()
        ))
        .bearer_auth(bearer)
        .send()
        .await
        .expect("send");
    assert_eq!(locations.status(), 200, "ARM takes the token");
}
