//! How long to wait between two polls of a long-running operation: what the answer asks
//! (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After` in seconds or as an HTTP date), else the
//! resource provider's usual pace from [`DEFAULTS`], times the client's poll interval scale, never
//! below the client's floor.

use super::super::ArmResponse;
use azure_core::time::OffsetDateTime;
use std::time::Duration;

/// How often to poll an operation of each resource provider when ARM sends no `Retry-After` (no
/// recording in `shared/azure-recordings` carries one), by namespace (compared case-insensitively).
/// The one table of these values; [`OTHERS`] for every namespace it does not list.
pub const DEFAULTS: &[(&str, Duration)] = &[
    // aks-create.json #1-#7: the operation polled every 30 s (`az aks create`), create 3.5-5.7 min.
    ("Microsoft.ContainerService", Duration::from_secs(30)),
    // vnet-peering.json #16-#40: polled at about 10 s (then backing off); VNet, IP and peering
    // operations end within seconds.
    ("Microsoft.Network", Duration::from_secs(10)),
    // afd-profile.json #2-#3 and afd-endpoint-update.json #1-#2: operation documents ~30 s apart.
    ("Microsoft.Cdn", Duration::from_secs(30)),
    // acr-replication.json #3-#5: a replication's operation ended ~12 s after its PUT.
    ("Microsoft.ContainerRegistry", Duration::from_secs(10)),
    // storage-create.json #1-#2: the one Location poll ~17 s after the PUT; the async-operations
    // article's storage example sends `Retry-After: 17`.
    ("Microsoft.Storage", Duration::from_secs(15)),
    // resource-group.json #0-#4: the group delete's Location polled about every 15 s.
    ("Microsoft.Resources", Duration::from_secs(15)),
];

/// The pace for a namespace [`DEFAULTS`] does not list.
pub const OTHERS: Duration = Duration::from_secs(10);

/// The usual pace of `namespace`'s operations, unscaled.
pub fn default_for(namespace: &str) -> Duration {
    DEFAULTS
        .iter()
        .find(|(ns, _)| ns.eq_ignore_ascii_case(namespace))
        .map_or(OTHERS, |(_, d)| *d)
}

/// The resource provider namespace a path (or URL) addresses: the segment after its last
/// `/providers/`; `Microsoft.Resources` for a path without one (subscriptions, resource groups).
pub fn namespace(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    path.rsplit_once("/providers/")
        .and_then(|(_, rest)| rest.split('/').next())
        .filter(|ns| !ns.is_empty())
        .unwrap_or("Microsoft.Resources")
}

/// The wait `response` asks for, if it asks: `retry-after-ms`, then `x-ms-retry-after-ms` (both in
/// milliseconds), then `Retry-After` (seconds, or an HTTP date counted from `now`), as Azure's SDKs
/// read them.
pub fn retry_after(response: &ArmResponse, now: OffsetDateTime) -> Option<Duration> {
    let ms = |name: &str| {
        response
            .header(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_millis)
    };
    ms("retry-after-ms")
        .or_else(|| ms("x-ms-retry-after-ms"))
        .or_else(|| {
            let value = response.header("retry-after")?.trim();
            if let Ok(seconds) = value.parse::<u64>() {
                return Some(Duration::from_secs(seconds));
            }
            let at = azure_core::time::parse_rfc7231(value).ok()?;
            let left = at - now;
            Some(Duration::try_from(left).unwrap_or(Duration::ZERO))
        })
}

/// How a client paces its polls: its floor, and the scale its per-provider defaults are multiplied by.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub floor: Duration,
    pub scale: f64,
}

impl Pace {
    /// The wait before polling again an operation of `namespace` after `response`.
    pub fn after(&self, response: &ArmResponse, namespace: &str) -> Duration {
        retry_after(response, OffsetDateTime::now_utc())
            .unwrap_or_else(|| self.default_for(namespace))
            .max(self.floor)
    }

    /// `namespace`'s default times the scale (at least the floor).
    pub fn default_for(&self, namespace: &str) -> Duration {
        scaled(default_for(namespace), self.scale).max(self.floor)
    }
}

/// `duration` times `scale`, to the nanosecond (a negative or non-finite scale counts as 0).
pub fn scaled(duration: Duration, scale: f64) -> Duration {
    let scale = if scale.is_finite() {
        scale.max(0.0)
    } else {
        0.0
    };
    let nanos = (duration.as_nanos() as f64 * scale).round();
    Duration::from_nanos(nanos.min(u64::MAX as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(headers: &[(&str, &str)]) -> ArmResponse {
        ArmResponse {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: None,
        }
    }

    #[test]
    fn milliseconds_win_over_seconds_and_dates_count_from_now() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let both = answer(&[("Retry-After", "2"), ("retry-after-ms", "150")]);
        assert_eq!(retry_after(&both, now), Some(Duration::from_millis(150)));
        let x_ms = answer(&[("Retry-After", "2"), ("x-ms-retry-after-ms", "40")]);
        assert_eq!(retry_after(&x_ms, now), Some(Duration::from_millis(40)));
        assert_eq!(
            retry_after(&answer(&[("retry-after", "17")]), now),
            Some(Duration::from_secs(17))
        );
        let date = answer(&[("Retry-After", "Thu, 01 Jan 1970 00:00:30 GMT")]);
        assert_eq!(retry_after(&date, now), Some(Duration::from_secs(30)));
        let past = answer(&[("Retry-After", "Thu, 01 Jan 1970 00:00:30 GMT")]);
        assert_eq!(
            retry_after(&past, now + azure_core::time::Duration::minutes(1)),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&answer(&[]), now), None);
        assert_eq!(retry_after(&answer(&[("Retry-After", "soon")]), now), None);
    }

    #[test]
    fn without_retry_after_the_providers_pace_is_scaled_within_the_floor() {
        let azure = Pace {
            floor: Duration::from_millis(20),
            scale: 1.0,
        };
        let none = answer(&[]);
        let aks = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c";
        assert_eq!(azure.after(&none, namespace(aks)), Duration::from_secs(30));
        assert_eq!(
            azure.after(&none, "microsoft.network"),
            Duration::from_secs(10)
        );
        assert_eq!(azure.after(&none, "Microsoft.Web"), OTHERS);
        let emulator = Pace {
            floor: Duration::from_millis(20),
            scale: 0.001,
        };
        assert_eq!(
            emulator.after(&none, "Microsoft.ContainerService"),
            Duration::from_millis(30)
        );
        assert_eq!(
            emulator.after(&none, "Microsoft.Network"),
            Duration::from_millis(20),
            "10 ms scaled, raised to the floor"
        );
        assert_eq!(
            emulator.after(&answer(&[("retry-after-ms", "5")]), "Microsoft.Network"),
            Duration::from_millis(20),
            "the floor holds for Retry-After too"
        );
        assert_eq!(
            emulator.after(&answer(&[("Retry-After", "3")]), "Microsoft.Network"),
            Duration::from_secs(3),
            "an explicit Retry-After is the server's own time, never scaled"
        );
    }

    #[test]
    fn the_namespace_is_the_last_provider_segment() {
        assert_eq!(
            namespace(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/providers/Microsoft.Authorization/roleAssignments/g"
            ),
            "Microsoft.Authorization"
        );
        assert_eq!(
            namespace(
                "https://management.azure.com/subscriptions/s/resourcegroups/rg?api-version=1"
            ),
            "Microsoft.Resources"
        );
        assert_eq!(
            namespace(
                "/subscriptions/s/providers/Microsoft.Network/locations/westus/operations/1?api-version=2024-03-01"
            ),
            "Microsoft.Network"
        );
    }
}
