//! ARM's throttling budgets: token buckets per subscription and per kind of request, and the
//! `x-ms-ratelimit-remaining-subscription-*` headers that report them.
//!
//! Which budget a request draws on is its family's ([`Budget`]): writes report `-writes` (and the
//! newer `-global-writes`), deletes `-deletes`, reads nothing (no read header in any recording);
//! Traffic Manager profiles and Front Door report `-resource-requests` for reads and writes alike
//! (traffic-manager #1-#6, afd-endpoint-update #0: 98, #3: 499). The bucket sizes are ARM's
//! documented ones (learn.microsoft.com request-limits-and-throttling: reads 250 + 25/s, writes and
//! deletes 200 + 10/s each, the global limit 15 times those); the resource-requests buckets
//! (100 for writes, 500 for reads, as the recordings' numbers suggest) refill at a guessed tenth of
//! their size per second. Without throttling every bucket stays full: the headers report the burst,
//! and nothing is refused.

use crate::contract::config::Throttle;
use crate::contract::profile::Budget;
use crate::contract::store::lock;
use axum::http::Method;
use std::collections::HashMap;
use std::sync::Mutex;

/// The budgets a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    Reads,
    Writes,
    GlobalWrites,
    Deletes,
    ResourceReads,
    ResourceWrites,
}

impl Class {
    /// The header that reports this budget, if any.
    fn header(self) -> Option<&'static str> {
        match self {
            Self::Reads => None,
            Self::Writes => Some("x-ms-ratelimit-remaining-subscription-writes"),
            Self::GlobalWrites => Some("x-ms-ratelimit-remaining-subscription-global-writes"),
            Self::Deletes => Some("x-ms-ratelimit-remaining-subscription-deletes"),
            Self::ResourceReads | Self::ResourceWrites => {
                Some("x-ms-ratelimit-remaining-subscription-resource-requests")
            }
        }
    }

    /// Burst and refill per second.
    fn limits(self, t: &Throttle) -> (f64, f64) {
        match self {
            Self::Reads => (t.read_burst, t.read_per_sec),
            Self::Writes | Self::Deletes => (t.write_burst, t.write_per_sec),
            Self::GlobalWrites => (15.0 * t.write_burst, 15.0 * t.write_per_sec),
            Self::ResourceReads => (500.0, 50.0),
            Self::ResourceWrites => (100.0, 10.0),
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::Reads | Self::ResourceReads => "read",
            Self::Deletes => "delete",
            _ => "write",
        }
    }
}

/// The budgets a request of `method` to a type of `budget` draws on.
pub(crate) fn classes(method: &Method, budget: Budget) -> &'static [Class] {
    let read = *method == Method::GET || *method == Method::HEAD;
    match (budget, read) {
        (Budget::ResourceRequests, true) => &[Class::ResourceReads],
        (Budget::ResourceRequests, false) => &[Class::ResourceWrites],
        (Budget::Subscription, true) => &[Class::Reads],
        (Budget::Subscription, false) if *method == Method::DELETE => &[Class::Deletes],
        (Budget::Subscription, false) => &[Class::Writes, Class::GlobalWrites],
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    at_ms: u64,
}

/// Every subscription's buckets.
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    buckets: Mutex<HashMap<(String, Class), Bucket>>,
}

/// A refusal: which budget ran out, and the seconds until it holds a request again.
#[derive(Debug)]
pub(crate) struct Throttled {
    pub what: &'static str,
    pub retry_after_s: u64,
}

impl Buckets {
    /// Draws one request from each of `classes`' buckets (or, without `limits`, reports them
    /// full): the headers to answer with, or the refusal of the first that is empty.
    pub(crate) fn draw(
        &self,
        limits: Option<&Throttle>,
        subscription: &str,
        classes: &[Class],
        now_ms: u64,
    ) -> Result<Vec<(&'static str, u64)>, Throttled> {
        let Some(limits) = limits else {
            let full = Throttle::default();
            return Ok(classes
                .iter()
                .filter_map(|c| c.header().map(|h| (h, c.limits(&full).0 as u64)))
                .collect());
        };
        let mut buckets = lock(&self.buckets);
        let mut levels = Vec::with_capacity(classes.len());
        for class in classes {
            let (burst, per_sec) = class.limits(limits);
            let bucket = buckets
                .entry((subscription.to_owned(), *class))
                .or_insert(Bucket {
                    level: burst,
                    at_ms: now_ms,
                });
            bucket.level = (bucket.level
                + now_ms.saturating_sub(bucket.at_ms) as f64 / 1000.0 * per_sec)
                .min(burst);
            bucket.at_ms = now_ms;
            if bucket.level < 1.0 {
                return Err(Throttled {
                    what: class.what(),
                    retry_after_s: ((1.0 - bucket.level) / per_sec).ceil().max(1.0) as u64,
                });
            }
            levels.push((*class, bucket.level));
        }
        let mut headers = Vec::new();
        for (class, _) in &levels {
            if let Some(b) = buckets.get_mut(&(subscription.to_owned(), *class)) {
                b.level -= 1.0;
                if let Some(h) = class.header() {
                    headers.push((h, b.level as u64));
                }
            }
        }
        Ok(headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_request_draws_on_its_own_bucket() {
        let buckets = Buckets::default();
        let limits = Throttle::default();
        let write = classes(&Method::PUT, Budget::Subscription);
        let delete = classes(&Method::DELETE, Budget::Subscription);
        let tm = classes(&Method::PUT, Budget::ResourceRequests);
        let first = buckets
            .draw(Some(&limits), "s", write, 0)
            .expect("a full bucket");
        assert_eq!(
            first,
            [
                ("x-ms-ratelimit-remaining-subscription-writes", 199),
                ("x-ms-ratelimit-remaining-subscription-global-writes", 2999)
            ]
        );
        assert_eq!(
            buckets
                .draw(Some(&limits), "s", delete, 0)
                .expect("own bucket"),
            [("x-ms-ratelimit-remaining-subscription-deletes", 199)]
        );
        assert_eq!(
            buckets.draw(Some(&limits), "s", tm, 0).expect("own bucket"),
            [(
                "x-ms-ratelimit-remaining-subscription-resource-requests",
                99
            )]
        );
        assert!(
            buckets
                .draw(
                    Some(&limits),
                    "s",
                    classes(&Method::GET, Budget::Subscription),
                    0
                )
                .expect("reads")
                .is_empty(),
            "reads report nothing"
        );
        // Emptied, the writes bucket refuses; refilled at 10/s, it holds one again 100 ms later.
        for _ in 0..199 {
            buckets.draw(Some(&limits), "s", write, 0).expect("burst");
        }
        let refused = buckets
            .draw(Some(&limits), "s", write, 0)
            .expect_err("empty");
        assert_eq!((refused.what, refused.retry_after_s), ("write", 1));
        assert!(buckets.draw(Some(&limits), "s", write, 100).is_ok());
        assert!(
            buckets.draw(Some(&limits), "s", delete, 0).is_ok(),
            "deletes keep their own budget"
        );
    }

    #[test]
    fn without_throttling_the_buckets_stay_full() {
        let buckets = Buckets::default();
        for _ in 0..1_000 {
            let headers = buckets
                .draw(None, "s", classes(&Method::PUT, Budget::Subscription), 0)
                .expect("never refused");
            assert_eq!(headers[0].1, 200);
        }
    }
}
