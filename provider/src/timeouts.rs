//! The `timeouts` block: durations like `30m` or `1h30m`, their defaults, and a cancellation signal
//! that fires when either the time runs out or Terraform asks the provider to stop.

use crate::diag::{self, Diagnostics};

use crate::value::Value;
use bcdr::engine::{CancelSignal, cancellation};
use std::time::Duration;

/// Which operation a limit is for, and its default.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Create,
    Update,
    Delete,
    Read,
}

impl Kind {
    fn attr(self) -> &'static str {
        match self {
            Kind::Create => "create",
            Kind::Update => "update",
            Kind::Delete => "delete",
            Kind::Read => "read",
        }
    }

    fn default(self) -> Duration {
        Duration::from_secs(match self {
            Kind::Create | Kind::Update => 90 * 60,
            Kind::Delete => 60 * 60,
            Kind::Read => 10 * 60,
        })
    }
}

/// `1h30m`, `45m`, `90s`: hours, minutes and seconds, at least one.
pub fn parse(text: &str) -> Option<Duration> {
    let mut total = 0u64;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        total += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        any = true;
    }
    (any && number.is_empty() && total > 0).then(|| Duration::from_secs(total))
}

pub fn validate(config: &Value) -> Diagnostics {
    let block = config.get("timeouts");
    [Kind::Create, Kind::Update, Kind::Delete, Kind::Read]
        .into_iter()
        .filter_map(|k| {
            let text = block.get(k.attr()).as_str()?;
            parse(text).is_none().then(|| {
                diag::error_at(
                    &["timeouts", k.attr()],
                    "Invalid duration",
                    format!(
                        "timeouts.{}: \"{text}\" is not a duration such as 30m, 1h30m or 90s",
                        k.attr()
                    ),
                )
            })
        })
        .collect()
}

/// The limit for `kind` in effect for `state` (the planned or prior value).
pub fn limit(state: &Value, kind: Kind) -> Duration {
    state
        .get("timeouts")
        .get(kind.attr())
        .as_str()
        .and_then(parse)
        .unwrap_or(kind.default())
}

/// A signal that fires when `stop` does or `after` elapses; the flag says whether time ran out.
pub fn deadline(
    stop: CancelSignal,
    after: Duration,
) -> (CancelSignal, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let (canceller, signal) = cancellation();
    let timed_out = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = timed_out.clone();
    let mut stop = stop;
    tokio::spawn(async move {
        tokio::select! {
            () = stop.cancelled() => canceller.cancel(),
            () = tokio::time::sleep(after) => {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                canceller.cancel();
            }
        }
    });
    (signal, timed_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse("90"), None);
        assert_eq!(parse("10x"), None);
        assert_eq!(parse("0m"), None);
    }
}
