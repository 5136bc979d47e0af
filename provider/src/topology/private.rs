//! The resource's private state, opaque to Terraform: the regions a refresh or a plan found not
//! answering (their breakers open), carried to the apply. `terraform apply` refreshes and plans in
//! one provider process and applies in another, which starts from the refreshed state (its private
//! part included) and plans again: so the refresh and the plan add what they learnt, and the apply
//! takes it on instead of waiting for those regions again. Stamped with the wall clock: a saved plan
//! applied after the cooldown carries nothing. The apply drops it again.

use bcdr::arm::breaker::OpenRegion;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

const KEY: &str = "bcdr_unreachable";

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// `prior` with `open` added (when there is any), as planned at `now`.
pub fn with_unreachable(prior: &[u8], open: &[OpenRegion], now: SystemTime) -> Vec<u8> {
    if open.is_empty() {
        return prior.to_vec();
    }
    let mut doc = match serde_json::from_slice::<Value>(prior) {
        Ok(v @ Value::Object(_)) => v,
        _ if prior.is_empty() => json!({}),
        // Someone else's bytes: left as they are.
        _ => return prior.to_vec(),
    };
    doc[KEY] = json!({ "at_unix_ms": unix_ms(now), "regions": open });
    serde_json::to_vec(&doc).unwrap_or_else(|_| prior.to_vec())
}

/// The regions `planned` carries, their cooldown less the time since the plan, and the private
/// state without them.
pub fn take_unreachable(planned: &[u8], now: SystemTime) -> (Vec<OpenRegion>, Vec<u8>) {
    let Ok(Value::Object(mut doc)) = serde_json::from_slice::<Value>(planned) else {
        return (Vec::new(), planned.to_vec());
    };
    let Some(carried) = doc.remove(KEY) else {
        return (Vec::new(), planned.to_vec());
    };
    let rest = if doc.is_empty() {
        Vec::new()
    } else {
        serde_json::to_vec(&doc).unwrap_or_default()
    };
    let since = unix_ms(now).saturating_sub(carried["at_unix_ms"].as_u64().unwrap_or_default());
    let open = serde_json::from_value::<Vec<OpenRegion>>(carried["regions"].clone())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|mut o| {
            o.remaining_ms = o.remaining_ms.checked_sub(since).filter(|r| *r > 0)?;
            Some(o)
        })
        .collect();
    (open, rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn east() -> OpenRegion {
        OpenRegion {
            region: "eastus".into(),
            detail: "no answer within 5 s".into(),
            remaining_ms: 50_000,
        }
    }

    #[test]
    fn the_plan_carries_open_regions_to_the_apply_less_the_time_between() {
        let planned_at = UNIX_EPOCH + Duration::from_secs(1_000);
        let private = with_unreachable(&[], &[east()], planned_at);
        let (open, rest) = take_unreachable(&private, planned_at + Duration::from_secs(10));
        assert_eq!(
            open,
            vec![OpenRegion {
                remaining_ms: 40_000,
                ..east()
            }]
        );
        assert!(rest.is_empty(), "nothing of it is left for the state");
        let (open, _) = take_unreachable(&private, planned_at + Duration::from_secs(60));
        assert!(
            open.is_empty(),
            "a plan applied after the cooldown carries nothing"
        );
    }

    #[test]
    fn other_private_state_is_kept() {
        let now = UNIX_EPOCH + Duration::from_secs(1);
        assert_eq!(with_unreachable(b"opaque", &[east()], now), b"opaque");
        assert_eq!(with_unreachable(b"{\"a\":1}", &[], now), b"{\"a\":1}");
        let private = with_unreachable(b"{\"a\":1}", &[east()], now);
        let (open, rest) = take_unreachable(&private, now);
        assert_eq!(open.len(), 1);
        assert_eq!(rest, b"{\"a\":1}");
        assert_eq!(
            take_unreachable(b"opaque", now),
            (Vec::new(), b"opaque".to_vec())
        );
    }
}
