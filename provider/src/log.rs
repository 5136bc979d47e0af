//! Logs as Terraform reads them: one JSON object per stderr line with `@level`, `@message`,
//! `@timestamp` (six fractional digits) and `@module`, the event's fields beside them. The level comes
//! from `TF_LOG_PROVIDER` or `TF_LOG`; nothing is written when neither is set.

use std::fmt::Write as _;
use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

struct Fields(serde_json::Map<String, serde_json::Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        self.0.insert(field.name().to_owned(), s.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), value.into());
    }
}

struct TerraformJson;

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&fmt).unwrap_or_default()
}

impl<S: Subscriber> Layer<S> for TerraformJson {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields(serde_json::Map::new());
        event.record(&mut fields);
        let mut line = fields.0;
        let message = line.remove("message").unwrap_or_default();
        let level = match *event.metadata().level() {
            Level::ERROR => "error",
            Level::WARN => "warn",
            Level::INFO => "info",
            Level::DEBUG => "debug",
            Level::TRACE => "trace",
        };
        line.insert("@level".into(), level.into());
        line.insert("@message".into(), message);
        line.insert("@timestamp".into(), timestamp().into());
        line.insert("@module".into(), "provider.terraform-provider-bcdr".into());
        let mut out = serde_json::Value::Object(line).to_string();
        out.push('\n');
        let _ = std::io::stderr().lock().write_all(out.as_bytes());
    }
}

/// Installs the logger when Terraform asked for logs.
pub fn init() {
    use tracing_subscriber::layer::SubscriberExt;
    let level = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok().filter(|s| !s.is_empty()));
    let Some(level) = level else { return };
    let filter = match level.to_ascii_uppercase().as_str() {
        "ERROR" => tracing_subscriber::filter::LevelFilter::ERROR,
        "WARN" => tracing_subscriber::filter::LevelFilter::WARN,
        "INFO" => tracing_subscriber::filter::LevelFilter::INFO,
        "DEBUG" => tracing_subscriber::filter::LevelFilter::DEBUG,
        "OFF" => return,
        _ => tracing_subscriber::filter::LevelFilter::TRACE,
    };
    let subscriber = tracing_subscriber::registry().with(TerraformJson.with_filter(filter));
    let _ = tracing::subscriber::set_global_default(subscriber);
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_have_six_fractional_digits() {
        let ts = super::timestamp();
        let (_, frac) = ts.trim_end_matches('Z').rsplit_once('.').expect("fraction");
        assert_eq!(frac.len(), 6, "{ts}");
        assert!(
            ts.ends_with('Z') && ts.len() == "2006-01-02T15:04:05.000000Z".len(),
            "{ts}"
        );
    }
}
