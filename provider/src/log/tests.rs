use super::*;
use std::sync::{Arc, Mutex};
use tracing_subscriber::layer::SubscriberExt;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// The lines `log` writes, each parsed as go-plugin parses it.
fn logged(log: impl FnOnce()) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::registry().with(
        TerraformJson::new(buffer.clone())
            .with_filter(tracing_subscriber::filter::LevelFilter::TRACE),
    );
    tracing::subscriber::with_default(subscriber, log);
    let bytes = buffer.0.lock().expect("buffer").clone();
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.ends_with('\n'), "{text:?}");
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("each line is JSON");
            let serde_json::Value::Object(map) = v else {
                panic!("not an object: {l}")
            };
            assert_go_plugin_accepts(&map);
            map
        })
        .collect()
}

/// What go-plugin's `parseJSON` requires: string `@message`, `@level`, `@timestamp`, the last in
/// Go's `2006-01-02T15:04:05.000000Z07:00`.
fn assert_go_plugin_accepts(line: &serde_json::Map<String, serde_json::Value>) {
    for key in ["@message", "@level", "@timestamp", "@module"] {
        assert!(line[key].is_string(), "{key} is a string: {line:?}");
    }
    let ts = line["@timestamp"].as_str().unwrap_or_default();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    assert!(
        time::PrimitiveDateTime::parse(ts, &format).is_ok(),
        "timestamp {ts}"
    );
    assert_eq!(ts.len(), "2006-01-02T15:04:05.000000Z".len(), "{ts}");
}

#[test]
fn timestamps_have_six_fractional_digits() {
    let ts = timestamp();
    let (_, frac) = ts.trim_end_matches('Z').rsplit_once('.').expect("fraction");
    assert_eq!(frac.len(), 6, "{ts}");
}

#[test]
fn an_event_without_a_message_gets_one_from_its_fields() {
    let lines = logged(|| {
        tracing::trace!(frame.kind = "Settings", stream = 0u64);
        tracing::event!(target: "h2::proto", Level::TRACE, {});
    });
    assert_eq!(lines.len(), 2);
    let message = lines[0]["@message"].as_str().unwrap_or_default();
    assert!(
        message.contains("frame.kind=Settings") && message.contains("stream=0"),
        "{message}"
    );
    assert_eq!(lines[0]["frame.kind"], "Settings", "fields stay key/values");
    assert_eq!(lines[0]["@level"], "trace");
    let bare = lines[1]["@message"].as_str().unwrap_or_default();
    assert!(bare.starts_with("h2::proto: event "), "{bare}");
}

#[test]
fn a_message_that_is_not_a_string_is_written_as_text() {
    let lines = logged(|| {
        tracing::info!(message = 42u64);
        tracing::info!(message = true, other = 1.5);
        tracing::warn!(message = -7i64);
        tracing::error!(message = f64::NAN);
    });
    let messages: Vec<_> = lines.iter().map(|l| l["@message"].clone()).collect();
    assert_eq!(
        messages,
        vec![
            serde_json::json!("42"),
            serde_json::json!("true"),
            serde_json::json!("-7"),
            serde_json::json!("NaN")
        ]
    );
    assert_eq!(lines[1]["other"], 1.5);
    assert_eq!(lines[3]["@level"], "error");
}

#[derive(Debug)]
struct Odd {
    quote: &'static str,
}

#[test]
fn odd_field_types_are_written_as_json_go_reads() {
    let err = std::io::Error::other("inner");
    let odd = Odd {
        quote: "a \"quoted\"\nline",
    };
    assert!(odd.quote.contains('"'));
    let lines = logged(|| {
        tracing::debug!(
            big = u128::MAX,
            small = i128::MIN,
            inf = f64::INFINITY,
            debug = ?odd,
            error = &err as &(dyn std::error::Error + 'static),
            "@level" = 3u64,
            "odd fields"
        );
    });
    let line = &lines[0];
    assert_eq!(line["@message"], "odd fields");
    assert_eq!(
        line["@level"], "debug",
        "a field cannot take the level's place"
    );
    assert_eq!(line["big"], u128::MAX.to_string());
    assert_eq!(line["small"], i128::MIN.to_string());
    assert_eq!(line["inf"], "inf");
    assert!(
        line["debug"]
            .as_str()
            .is_some_and(|d| d.contains("Odd") && d.contains("quoted")),
        "{line:?}"
    );
    assert_eq!(line["error"], "inner");
}

#[test]
fn secrets_are_not_written() {
    keep_secret("provider-block-secret");
    let lines = logged(|| {
        tracing::trace!(
            headers = ?[("authorization", "Bearer emu.0123456789abcdef")],
            client_secret = "hunter2-hunter2",
            kube_config = "apiVersion: v1\nusers:\n- user:\n    token: 0123abcd",
            "sent {}",
            "client_id=app&client_secret=provider-block-secret"
        );
        tracing::trace!(body = "{\"access_token\":\"emu.feedface\"}");
    });
    let text = serde_json::to_string(&lines).expect("json");
    for secret in [
        "emu.0123456789abcdef",
        "hunter2",
        "provider-block-secret",
        "0123abcd",
        "emu.feedface",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(lines[0]["client_secret"], redact::REDACTED);
    assert!(
        lines[1]["@message"]
            .as_str()
            .is_some_and(|m| m.contains("access_token")),
        "the message-less event's message is redacted too: {text}"
    );
}

#[test]
fn long_values_are_cut_to_fit_go_plugins_line() {
    let long = "x".repeat(200_000);
    let lines = logged(|| {
        tracing::info!(a = %long, b = %long, c = %long, d = %long, e = %long, f = %long, g = %long, h = %long, "{long}");
    });
    let line = serde_json::to_string(&lines[0]).expect("json");
    assert!(line.len() < MAX_LINE, "{}", line.len());
    assert!(
        lines[0]["@message"]
            .as_str()
            .is_some_and(|m| m.ends_with("more bytes)")),
        "cut, and says so"
    );
}
