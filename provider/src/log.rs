//! Logs as Terraform reads them: one JSON object per stderr line with `@level`, `@message`,
//! `@timestamp` (six fractional digits) and `@module`, the event's fields beside them. The level comes
//! from `TF_LOG_PROVIDER` or `TF_LOG`; nothing is written when neither is set.
//!
//! Terraform parses each line with go-plugin, which asserts that `@message`, `@level` and
//! `@timestamp` are strings and panics otherwise (Terraform itself crashes). So every line is built
//! to be accepted whatever the event: a message-less event (HTTP/2's frame traces) gets a message
//! made from its fields, a `message` field of another type is written as text, and each value passes
//! through [`redact`] first: no secret is ever written, whoever logged it.

pub mod redact;

pub use redact::keep_secret;

use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};

const MODULE: &str = "provider.terraform-provider-bcdr";

/// go-plugin reads stderr in 64 KiB lines; a longer one would reach Terraform cut in pieces.
const MAX_LINE: usize = 60 << 10;
/// The longest value kept whole; longer ones are cut.
const MAX_VALUE: usize = 8 << 10;

/// An event's fields, its message apart.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    rest: serde_json::Map<String, serde_json::Value>,
}

fn cut(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let dropped = text.len() - end;
        text.truncate(end);
        text.push_str(&format!("... ({dropped} more bytes)"));
    }
    text
}

impl Fields {
    fn text(&mut self, field: &Field, value: String) {
        let value = cut(redact::scrub(&value).into_owned(), MAX_VALUE);
        if field.name() == "message" {
            self.message = Some(value);
        } else {
            self.put(field, value.into());
        }
    }

    fn put(&mut self, field: &Field, value: serde_json::Value) {
        let value = if redact::sensitive_name(field.name()) {
            redact::REDACTED.into()
        } else {
            value
        };
        if field.name() == "message" {
            self.message = Some(match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.rest.insert(field.name().to_owned(), value);
        }
    }

    /// The message: the event's own, else one made from its fields (HTTP/2's frame traces have
    /// none), else the event's name.
    fn message(&mut self, event: &Event<'_>) -> String {
        if let Some(m) = self.message.take() {
            return m;
        }
        let meta = event.metadata();
        if self.rest.is_empty() {
            return format!("{}: {}", meta.target(), meta.name());
        }
        let pairs: Vec<String> = self
            .rest
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect();
        format!("{}: {}", meta.target(), pairs.join(" "))
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.text(field, format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field, value.to_owned());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        self.text(field, text);
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.put(field, value.to_string().into());
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.put(field, value.to_string().into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        // JSON has no NaN or infinity.
        let value = serde_json::Number::from_f64(value)
            .map_or_else(|| value.to_string().into(), serde_json::Value::Number);
        self.put(field, value);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
}

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000000Z".to_owned())
}

fn level(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

/// The line Terraform reads for `event`, newline included.
fn line(event: &Event<'_>) -> String {
    let mut fields = Fields::default();
    event.record(&mut fields);
    let message = cut(fields.message(event), MAX_VALUE);
    let mut line = std::mem::take(&mut fields.rest);
    line.insert("@level".into(), level(event.metadata().level()).into());
    line.insert("@message".into(), message.clone().into());
    line.insert("@timestamp".into(), timestamp().into());
    line.insert("@module".into(), MODULE.into());
    let mut out = serde_json::Value::Object(line).to_string();
    if out.len() > MAX_LINE {
        // Too many fields to carry: the message alone.
        let mut short = serde_json::Map::new();
        short.insert("@level".into(), level(event.metadata().level()).into());
        short.insert("@message".into(), cut(message, MAX_LINE / 2).into());
        short.insert("@timestamp".into(), timestamp().into());
        short.insert("@module".into(), MODULE.into());
        out = serde_json::Value::Object(short).to_string();
    }
    out.push('\n');
    out
}

/// The layer writing Terraform's lines to `writer` (stderr in the provider).
pub struct TerraformJson<W> {
    writer: W,
}

impl<W> std::fmt::Debug for TerraformJson<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TerraformJson")
    }
}

impl<W> TerraformJson<W> {
    pub fn new(writer: W) -> Self {
        Self { writer }
    }
}

impl<S: Subscriber, W: for<'a> MakeWriter<'a> + 'static> Layer<S> for TerraformJson<W> {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let _ = self.writer.make_writer().write_all(line(event).as_bytes());
    }
}

/// The level `TF_LOG_PROVIDER`, else `TF_LOG`, asks for; `None` for no logs.
fn requested() -> Option<tracing_subscriber::filter::LevelFilter> {
    use tracing_subscriber::filter::LevelFilter;
    let level = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok().filter(|s| !s.is_empty()))?;
    Some(match level.to_ascii_uppercase().as_str() {
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        "OFF" => return None,
        _ => LevelFilter::TRACE,
    })
}

/// Installs the logger when Terraform asked for logs.
pub fn init() {
    use tracing_subscriber::layer::SubscriberExt;
    let Some(filter) = requested() else { return };
    let layer = TerraformJson::new(std::io::stderr).with_filter(filter);
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer));
}

#[cfg(test)]
mod tests;
