//! `arm-emulator` command line: parses flags, starts the server, waits for Ctrl-C.

use arm_emulator::{Chaos, Config, Emulator, FaultAction, FaultRule, RegionDown, Throttle};
use std::process::ExitCode;

const HELP: &str = "\
arm-emulator: a local Azure Resource Manager for BC/DR AKS topologies (HTTPS only, like ARM)

USAGE:
    arm-emulator --listen 127.0.0.1:8443 --state state.json [OPTIONS]

OPTIONS:
    --listen ADDR          address to serve on [default: 127.0.0.1:8443]
    --state FILE           keep state in FILE across restarts (written atomically); the TLS
                           certificate clients must trust is written to FILE's stem + .cert.pem
    --latency-scale F      multiply Azure-like provisioning times by F [default: 0.01]
                           (1.0: AKS create 300 s, VNet 6 s, peering 10 s)
    --client-secret S      the token endpoint accepts only this client secret [default: any]
    --throttle             enforce ARM's per-subscription limits (reads 250 + 25/s,
                           writes 200 + 10/s) with 429 and Retry-After
    --fault SPEC           answer matching requests with an error: METHOD:PATH_PART:STATUS:CODE[:TIMES]
                           e.g. PUT:managedClusters:429:TooManyRequests:2
    --fault-async SPEC     accept, then fail the long-running operation: METHOD:PATH_PART:CODE[:TIMES]
    --fault-drop SPEC      drop the connection without an answer: METHOD:PATH_PART:before|after[:TIMES]
                           (after: the request takes effect, the client never hears of it)
    --faults FILE          rules from a JSON file: [{\"method\": \"PUT\", \"path\": \"managedClusters\",
                           \"status\": 429, \"code\": \"TooManyRequests\", \"times\": 2},
                           {\"method\": \"PUT\", \"path\": \"virtualNetworks\", \"fail_async\": \"InternalServerError\"},
                           {\"method\": \"GET\", \"path\": \"publicIPAddresses\", \"drop\": \"before\"}]
    --chaos RATE           fail that share of ARM requests at random with 500 or 503 [0-1]
    --seed N               the chaos seed: the same seed fails the same requests [default: 1]
    --principal CLIENT_ID=OBJECT_ID[:GROUP,...]
                           the object id (and group memberships) of a service principal: the `oid`
                           and `groups` of its tokens for AKS, what a cluster's Azure RBAC judges
    --unregistered NS,...  start every subscription unregistered for these resource providers, as a
                           new subscription is (e.g. Microsoft.ContainerService,Microsoft.Cdn): their
                           requests answer 409 MissingSubscriptionRegistration until
                           POST /subscriptions/{s}/providers/{NS}/register has taken effect
    --kubernetes-versions REGION=V,...
                           the Kubernetes patch versions AKS offers in REGION (repeatable), e.g.
                           westus=1.31.2,1.31.3 for a region 1.30 has retired from
                           [default: 1.30.6 1.30.7 1.31.2 1.31.3 1.32.0 everywhere]
    --core-quota REGION=N  the subscription's vCPU quota in REGION, for each VM family and the
                           regional total (repeatable) [default: 350]; a cluster that would exceed
                           it answers 400 QuotaExceeded
    --outage PATH_PART     answer every request whose path contains PATH_PART 503 ServiceUnavailable
                           (repeatable), e.g. rg-shop-eastus for a regional outage drill
    --region-down REGION[:hang]
                           a region outage as Azure has it (repeatable): requests for the region's
                           resources answer 503 ServiceUnavailable (:hang: are never answered), writes
                           under resource groups located there are refused (Traffic Manager and Front
                           Door included; reads go on), and probes of endpoints there fail, so
                           Traffic Manager endpoints turn Degraded and Front Door origins unhealthy
    --restricted-access REGION,...
                           access-restricted regions the subscription was granted (e.g.
                           germanynorth,switzerlandwest): AKS is offered there; without a grant
                           a cluster there answers 400 LocationNotAvailableForResourceType
    -h, --help             print this help

ENDPOINTS:
    https://ADDR/subscriptions/...            ARM (Bearer token and api-version required)
    https://ADDR/{tenant}/oauth2/v2.0/token   Entra ID client credentials (authority host = https://ADDR)
    https://ADDR/_msi/token                   managed identity, App Service shape (IDENTITY_ENDPOINT)
    https://ADDR/_emulator/requests           the request log (JSON)
    https://ADDR/_emulator/state              the whole state (JSON)
    https://ADDR/_emulator/regions            the regions down, and past outages (JSON)
    https://ADDR/_emulator/dns/FQDN           what a Traffic Manager or Front Door name answers now
                                              (?client_region=R, ?client_location=CODE, ?path=/p)

API VERSIONS:
    Microsoft.Resources 2024-03-01, subscriptions 2022-12-01, Microsoft.Network 2024-03-01
    (Traffic Manager 2022-04-01, Front Door WAF policies 2024-02-01), Microsoft.ContainerService
    2024-09-01, Microsoft.ContainerRegistry 2023-07-01, Microsoft.Authorization 2022-04-01,
    Microsoft.Storage 2023-05-01, Microsoft.Cdn 2024-09-01, Microsoft.OperationalInsights
    (Log Analytics workspaces) 2023-09-01
";

fn parse(args: &[String]) -> Result<Option<Config>, String> {
    let mut config = Config {
        listen: ([127, 0, 0, 1], 8443).into(),
        latency_scale: 0.01,
        ..Config::default()
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--listen" => {
                config.listen = value("--listen")?
                    .parse()
                    .map_err(|e| format!("--listen: {e}"))?
            }
            "--state" => config.state_path = Some(value("--state")?.into()),
            "--latency-scale" => {
                config.latency_scale = value("--latency-scale")?
                    .parse()
                    .map_err(|e| format!("--latency-scale: {e}"))?;
            }
            "--client-secret" => config.client_secret = Some(value("--client-secret")?),
            "--throttle" => config.throttle = Some(Throttle::default()),
            "--fault" => config.faults.push(fault(&value("--fault")?, false)?),
            "--fault-async" => config.faults.push(fault(&value("--fault-async")?, true)?),
            "--fault-drop" => config.faults.push(drop_fault(&value("--fault-drop")?)?),
            "--faults" => {
                let path = value("--faults")?;
                let text =
                    std::fs::read_to_string(&path).map_err(|e| format!("--faults {path}: {e}"))?;
                config
                    .faults
                    .extend(faults_file(&text).map_err(|e| format!("--faults {path}: {e}"))?);
            }
            "--chaos" => {
                let rate: f64 = value("--chaos")?
                    .parse()
                    .map_err(|e| format!("--chaos: {e}"))?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err("--chaos: the rate is a probability, 0 to 1".into());
                }
                let seed = config.chaos.map_or(1, |c| c.seed);
                config.chaos = Some(Chaos { rate, seed });
            }
            "--seed" => {
                let seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?;
                let rate = config.chaos.map_or(0.0, |c| c.rate);
                config.chaos = Some(Chaos { rate, seed });
            }
            "--kubernetes-versions" => {
                let spec = value("--kubernetes-versions")?;
                let (region, versions) = spec
                    .split_once('=')
                    .filter(|(r, v)| !r.is_empty() && !v.is_empty())
                    .ok_or_else(|| {
                        format!("--kubernetes-versions {spec}: expected REGION=V[,V...]")
                    })?;
                config.kubernetes_versions.insert(
                    region.to_ascii_lowercase(),
                    versions.split(',').map(|v| v.trim().to_owned()).collect(),
                );
            }
            "--core-quota" => {
                let spec = value("--core-quota")?;
                let (region, limit) = spec
                    .split_once('=')
                    .and_then(|(r, n)| Some((r, n.trim().parse::<u64>().ok()?)))
                    .filter(|(r, _)| !r.is_empty())
                    .ok_or_else(|| format!("--core-quota {spec}: expected REGION=N"))?;
                config
                    .core_quotas
                    .insert(region.to_ascii_lowercase(), limit);
            }
            "--outage" => config.faults.extend(FaultRule::outage(&value("--outage")?)),
            "--region-down" => config
                .regions_down
                .push(region_down(&value("--region-down")?)?),
            "--restricted-access" => config
                .restricted_access
                .extend(comma_list(&value("--restricted-access")?).map(str::to_ascii_lowercase)),
            "--principal" => {
                let spec = value("--principal")?;
                let (client, principal) = principal(&spec)?;
                config.principals.insert(client, principal);
            }
            "--unregistered" => config
                .unregistered
                .extend(comma_list(&value("--unregistered")?).map(str::to_owned)),
            other => return Err(format!("unknown argument '{other}' (see --help)")),
        }
    }
    Ok(Some(config))
}

/// `CLIENT_ID=OBJECT_ID[:GROUP,GROUP...]`: a service principal's object id and group memberships.
fn principal(spec: &str) -> Result<(String, arm_emulator::Principal), String> {
    let bad = || format!("--principal {spec}: expected CLIENT_ID=OBJECT_ID[:GROUP,...]");
    let (client, rest) = spec.split_once('=').ok_or_else(bad)?;
    let (object_id, groups) = rest.split_once(':').unwrap_or((rest, ""));
    if client.is_empty() || uuid::Uuid::parse_str(object_id).is_err() {
        return Err(bad());
    }
    let groups: Vec<String> = comma_list(groups).map(str::to_ascii_lowercase).collect();
    if groups.iter().any(|g| uuid::Uuid::parse_str(g).is_err()) {
        return Err(bad());
    }
    Ok((
        client.to_owned(),
        arm_emulator::Principal {
            object_id: object_id.to_ascii_lowercase(),
            groups,
        },
    ))
}

/// `REGION`, `REGION:fail` or `REGION:hang`, the region one Azure knows.
fn region_down(spec: &str) -> Result<(String, RegionDown), String> {
    let (region, how) = spec.split_once(':').unwrap_or((spec, "fail"));
    let mode = match how.to_ascii_lowercase().as_str() {
        "fail" => RegionDown::Fail,
        "hang" => RegionDown::Hang,
        _ => {
            return Err(format!(
                "--region-down {spec}: expected REGION, REGION:fail or REGION:hang"
            ));
        }
    };
    let region = arm_emulator::regions::canonical(region)
        .ok_or_else(|| format!("--region-down {spec}: '{region}' is not an Azure region"))?;
    Ok((region.to_owned(), mode))
}

/// The non-empty items of `A, B,C`.
fn comma_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// One rule of a `--faults` file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRule {
    method: String,
    path: String,
    status: Option<u16>,
    code: Option<String>,
    fail_async: Option<String>,
    drop: Option<String>,
    times: Option<u32>,
}

/// The rules of a `--faults` file: a JSON array of `{method, path, status+code | fail_async | drop,
/// times}`.
fn faults_file(text: &str) -> Result<Vec<FaultRule>, String> {
    let rules: Vec<FileRule> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    rules
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let action = match (r.status, r.code, r.fail_async, r.drop.as_deref()) {
                (Some(status), Some(code), None, None) => FaultAction::Respond {
                    status,
                    retry_after: (status == 429 || status == 503).then_some(1),
                    code,
                },
                (None, None, Some(code), None) => FaultAction::FailAsync {
                    message: format!("injected failure: {code}"),
                    code,
                },
                (None, None, None, Some(when @ ("before" | "after"))) => FaultAction::Drop {
                    after_processing: when == "after",
                },
                _ => {
                    return Err(format!(
                        "rule {i}: give status and code, or fail_async, or drop (\"before\" or \"after\")"
                    ));
                }
            };
            Ok(FaultRule {
                method: r.method,
                path_contains: r.path,
                action,
                remaining: r.times.unwrap_or(u32::MAX),
            })
        })
        .collect()
}

fn drop_fault(spec: &str) -> Result<FaultRule, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let bad = || format!("invalid fault '{spec}' (see --help)");
    let after_processing = match parts.get(2).copied() {
        Some("before") => false,
        Some("after") => true,
        _ => return Err(bad()),
    };
    let remaining = parts
        .get(3)
        .map_or(Ok(u32::MAX), |t| t.parse().map_err(|_| bad()))?;
    Ok(FaultRule {
        method: (*parts.first().ok_or_else(bad)?).to_owned(),
        path_contains: (*parts.get(1).ok_or_else(bad)?).to_owned(),
        action: FaultAction::Drop { after_processing },
        remaining,
    })
}

fn fault(spec: &str, is_async: bool) -> Result<FaultRule, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let bad = || format!("invalid fault '{spec}' (see --help)");
    let (method, path) = (
        parts.first().ok_or_else(bad)?,
        parts.get(1).ok_or_else(bad)?,
    );
    let (action, times) = if is_async {
        let code = parts.get(2).ok_or_else(bad)?;
        (
            FaultAction::FailAsync {
                code: (*code).to_owned(),
                message: format!("injected failure: {code}"),
            },
            parts.get(3),
        )
    } else {
        let status = parts.get(2).and_then(|s| s.parse().ok()).ok_or_else(bad)?;
        let code = parts.get(3).ok_or_else(bad)?;
        (
            FaultAction::Respond {
                status,
                code: (*code).to_owned(),
                retry_after: (status == 429).then_some(1),
            },
            parts.get(4),
        )
    };
    let remaining = times.map_or(Ok(u32::MAX), |t| t.parse().map_err(|_| bad()))?;
    Ok(FaultRule {
        method: (*method).to_owned(),
        path_contains: (*path).to_owned(),
        action,
        remaining,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(Some(config)) => config,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("arm-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let cert_path = config
        .state_path
        .as_ref()
        .map(|p| p.with_extension("cert.pem"));
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("arm-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("arm-emulator listening on {}", emulator.endpoint());
    match cert_path {
        Some(path) => println!("certificate: {}", path.display()),
        None => println!(
            "certificate (no --state, not saved):\n{}",
            emulator.ca_certificate_pem()
        ),
    }
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_faults_file_gives_every_kind_of_rule() {
        let rules = faults_file(
            r#"[{"method": "PUT", "path": "managedClusters", "status": 429, "code": "TooManyRequests", "times": 2},
                {"method": "PUT", "path": "virtualNetworks", "fail_async": "InternalServerError"},
                {"method": "GET", "path": "publicIPAddresses", "drop": "after"}]"#,
        )
        .expect("valid");
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].remaining, 2);
        assert!(matches!(
            rules[0].action,
            FaultAction::Respond {
                status: 429,
                retry_after: Some(1),
                ..
            }
        ));
        assert!(matches!(rules[1].action, FaultAction::FailAsync { .. }));
        assert_eq!(
            rules[2].action,
            FaultAction::Drop {
                after_processing: true
            }
        );
        let err =
            faults_file(r#"[{"method": "PUT", "path": "x", "status": 500}]"#).expect_err("no code");
        assert!(err.contains("rule 0"), "{err}");
        assert!(faults_file(r#"[{"method": "PUT", "path": "x", "oops": 1}]"#).is_err());
    }

    #[test]
    fn chaos_takes_a_rate_and_a_seed_in_any_order() {
        let config = parse(&args(&["--seed", "7", "--chaos", "0.25"]))
            .expect("parses")
            .expect("config");
        assert_eq!(
            config.chaos,
            Some(Chaos {
                rate: 0.25,
                seed: 7
            })
        );
        assert!(parse(&args(&["--chaos", "2"])).is_err(), "a probability");
    }

    #[test]
    fn a_new_subscription_and_retired_versions_from_the_command_line() {
        let config = parse(&args(&[
            "--unregistered",
            "Microsoft.ContainerService, Microsoft.Cdn",
            "--kubernetes-versions",
            "WestUS=1.31.2,1.31.3",
            "--core-quota",
            "westus=8",
            "--restricted-access",
            "GermanyNorth, switzerlandwest",
            "--outage",
            "rg-shop-eastus",
        ]))
        .expect("parses")
        .expect("config");
        assert_eq!(
            config.unregistered,
            ["Microsoft.ContainerService", "Microsoft.Cdn"]
        );
        assert_eq!(
            config.kubernetes_versions.get("westus").map(Vec::as_slice),
            Some(&["1.31.2".to_owned(), "1.31.3".to_owned()][..])
        );
        assert_eq!(config.core_quotas.get("westus"), Some(&8));
        assert_eq!(
            config.restricted_access,
            ["germanynorth", "switzerlandwest"]
        );
        assert_eq!(config.faults.len(), 5, "every method under the path");
        assert!(
            config
                .faults
                .iter()
                .all(|f| f.path_contains == "rg-shop-eastus")
        );
        assert!(parse(&args(&["--kubernetes-versions", "westus"])).is_err());
        let config = parse(&args(&[
            "--region-down",
            "East US",
            "--region-down",
            "westus:hang",
        ]))
        .expect("parses")
        .expect("config");
        assert_eq!(
            config.regions_down,
            [
                ("eastus".to_owned(), RegionDown::Fail),
                ("westus".to_owned(), RegionDown::Hang)
            ]
        );
        assert!(parse(&args(&["--region-down", "atlantis"])).is_err());
        assert!(parse(&args(&["--region-down", "eastus:maybe"])).is_err());
        assert!(parse(&args(&["--core-quota", "westus=many"])).is_err());
    }
}
