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

/// What a client that knows only the emulator's address reads before it signs in: the cloud's
/// metadata (`az cloud register --endpoint-resource-manager`), the tenant's OpenID document (MSAL),
/// Entra's instance discovery; then, signed in, the subscriptions and tenants it can see.
#[tokio::test]
async fn a_client_discovers_the_cloud_signs_in_and_lists_its_subscriptions() {
    let emulator = Emulator::start(fast()).await.expect("starts");
    let http = http(&emulator);
    let base = emulator.endpoint();
    let get = |path: String| {
        let http = http.clone();
        async move {
            let r = http.get(path).send().await.expect("send");
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or_default(),
            )
        }
    };
    let (status, cloud) = get(format!("{base}/metadata/endpoints?api-version=2022-09-01")).await;
    assert_eq!(status, 200);
    assert_eq!(cloud["authentication"]["loginEndpoint"], format!("{base}/"));
    assert_eq!(cloud["resourceManager"], format!("{base}/"));
    assert!(cloud["authentication"]["audiences"][0].is_string());

    let tenant = "11111111-2222-3333-4444-555555555555";
    let (status, openid) = get(format!(
        "{base}/{tenant}/v2.0/.well-known/openid-configuration"
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        openid["token_endpoint"],
        format!("{base}/{tenant}/oauth2/v2.0/token")
    );
    assert_eq!(openid["issuer"], format!("{base}/{tenant}/v2.0"));
    let (status, instance) = get(format!(
        "{base}/common/discovery/instance?api-version=1.1&authorization_endpoint={base}/{tenant}/oauth2/v2.0/authorize"
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        instance["tenant_discovery_endpoint"],
        format!("{base}/{tenant}/v2.0/.well-known/openid-configuration")
    );

    let token: Value = http
        .post(openid["token_endpoint"].as_str().expect("token endpoint"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "me"),
            ("client_secret", "s"),
        ])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let bearer = token["access_token"].as_str().expect("token").to_owned();
    let authed = |path: String| {
        let (http, bearer) = (http.clone(), bearer.clone());
        async move {
            let r = http
                .get(path)
                .bearer_auth(bearer)
                .send()
                .await
                .expect("send");
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or_default(),
            )
        }
    };
    let (status, subs) = authed(format!("{base}/subscriptions?api-version=2022-12-01")).await;
    assert_eq!(status, 200, "{subs}");
    assert_eq!(
        subs["value"][0]["subscriptionId"],
        arm_emulator::DEFAULT_SUBSCRIPTION
    );
    assert_eq!(subs["value"][0]["tenantId"], tenant, "the caller's tenant");
    assert_eq!(subs["value"][0]["state"], "Enabled");
    let (status, one) = authed(format!(
        "{base}/subscriptions/{}?api-version=2022-12-01",
        arm_emulator::DEFAULT_SUBSCRIPTION
    ))
    .await;
    assert_eq!((status, &one["tenantId"]), (200, &Value::from(tenant)));
    let (status, tenants) = authed(format!("{base}/tenants?api-version=2022-12-01")).await;
    assert_eq!(
        (status, &tenants["value"][0]["tenantId"]),
        (200, &Value::from(tenant))
    );
    let (status, _) = http
        .get(format!("{base}/subscriptions?api-version=2022-12-01"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("send");
    assert_eq!(status, 401, "the lists need a token");
}
