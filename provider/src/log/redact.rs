//! Secrets out of the log: every string the logger writes passes through [`scrub`], which removes the
//! secrets the provider was given ([`keep_secret`]: the client secret, kubeconfigs) and anything
//! shaped like one whatever its source, a dependency's trace included: `Bearer` credentials,
//! `client_secret=`/`access_token`/`token:`-style pairs (forms, JSON, YAML), JWTs and PEM private
//! keys. Fields whose name says they hold a secret are dropped whole ([`sensitive_name`]).

use std::borrow::Cow;
use std::sync::RwLock;

pub const REDACTED: &str = "<redacted>";

/// Shorter values are not taken as secrets: replacing them would garble every line.
const MIN_SECRET_LEN: usize = 6;

static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Remembers `secret` so that no log line ever shows it.
pub fn keep_secret(secret: &str) {
    let secret = secret.trim();
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let mut known = KNOWN
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !known.iter().any(|k| k == secret) {
        known.push(secret.to_owned());
        // Longest first, so that a secret containing another is replaced whole.
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

/// Whether a field of this name holds a secret: its value is never written.
pub fn sensitive_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "authorization",
        "assertion",
        "kube_config",
        "kubeconfig",
        "private_key",
        "cookie",
        "api_key",
    ]
    .iter()
    .any(|s| name.contains(s))
}

/// Keys whose value is a secret, in `key=value`, `"key": "value"` and `key: value` forms.
const SECRET_KEYS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "token",
    "client-key-data",
    "x-identity-header",
    "authorization",
];

/// `text` without secrets.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    {
        let known = KNOWN
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for secret in known.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
            }
        }
    }
    for pass in [private_keys, bearer, pairs, jwts] {
        if let Some(changed) = pass(&out) {
            out = Cow::Owned(changed);
        }
    }
    out
}

fn is_token_char(c: u8) -> bool {
    !(c.is_ascii_whitespace()
        || matches!(
            c,
            b'"' | b'\'' | b'\\' | b',' | b';' | b'&' | b'}' | b']' | b')'
        ))
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// Position of `needle` in `hay` from `from`, ignoring ASCII case.
fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (from..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Rewrites `text` by replacing the byte ranges `spans` (sorted, disjoint) with their replacements.
fn splice(text: &str, spans: Vec<(usize, usize, &str)>) -> Option<String> {
    if spans.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, with) in spans {
        out.push_str(&text[at..start]);
        out.push_str(with);
        at = end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// `-----BEGIN ... PRIVATE KEY-----` through its `-----END ...-----` (or the end of the text).
fn private_keys(text: &str) -> Option<String> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(begin) = text[from..].find("-----BEGIN ").map(|i| i + from) {
        let header_end = text[begin + 11..]
            .find("-----")
            .map_or(text.len(), |i| begin + 11 + i + 5);
        if !text[begin..header_end].contains("PRIVATE KEY") {
            from = header_end;
            continue;
        }
        let end = text[header_end..]
            .find("-----END ")
            .and_then(|i| {
                let e = header_end + i + 9;
                text[e..].find("-----").map(|j| e + j + 5)
            })
            .unwrap_or(text.len());
        spans.push((begin, end, "<redacted private key>"));
        from = end;
    }
    splice(text, spans)
}

/// `Bearer <credential>` (an Authorization header's value, wherever it is printed).
fn bearer(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(at) = find_ci(text, "bearer", from) {
        let mut i = at + 6;
        let boundary = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let spaced = i < bytes.len() && bytes[i] == b' ';
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && is_token_char(bytes[i]) {
            i += 1;
        }
        // A credential is long: "the bearer of news" keeps its words.
        if boundary && spaced && i - start >= 8 && !text[start..i].starts_with("<redacted") {
            spans.push((start, i, REDACTED));
        }
        from = i.max(at + 6);
    }
    splice(text, spans)
}

/// `key=value`, `"key": "value"`, `key: value` (escaped quotes of a Debug-printed JSON included) for
/// the keys of [`SECRET_KEYS`].
fn pairs(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(at) = find_ci(text, key, from) {
            from = at + key.len();
            let before = at.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                continue;
            }
            let mut i = at + key.len();
            let skip = |i: &mut usize, set: &[u8]| {
                while *i < bytes.len() && set.contains(&bytes[*i]) {
                    *i += 1;
                }
            };
            skip(&mut i, b"\"'\\");
            skip(&mut i, b" ");
            if i >= bytes.len() || !matches!(bytes[i], b'=' | b':') {
                continue;
            }
            i += 1;
            skip(&mut i, b" ");
            skip(&mut i, b"\"'\\");
            let start = i;
            // A header's value runs to the end of its string: `Basic xyz`, `Bearer xyz`.
            let whole = key.contains("authorization") || key.contains("header");
            while i < bytes.len() && (is_token_char(bytes[i]) || (whole && bytes[i] == b' ')) {
                i += 1;
            }
            let value = text[start..i].trim_end();
            let i = start + value.len();
            if i > start && value != REDACTED && !value.starts_with("<redacted") {
                spans.push((start, i, REDACTED));
            }
        }
    }
    spans.sort_unstable();
    spans.dedup_by(|later, earlier| later.0 < earlier.1);
    splice(text, spans)
}

/// `eyJ...` three-part base64url tokens (Entra's access tokens, federated tokens, assertions).
fn jwts(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("eyJ").map(|i| i + from) {
        let mut i = at;
        let mut dots = 0;
        while i < bytes.len() && (is_b64url(bytes[i]) || (bytes[i] == b'.' && dots < 2)) {
            dots += usize::from(bytes[i] == b'.');
            i += 1;
        }
        if dots == 2 && i - at > 20 {
            spans.push((at, i, "<redacted jwt>"));
        }
        from = i.max(at + 3);
    }
    splice(text, spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_credentials_are_removed() {
        assert_eq!(
            scrub("authorization: Bearer emu.0123abcd, next"),
            "authorization: <redacted>, next"
        );
        assert_eq!(
            scrub(r#"{"Authorization": "bearer abc.def"}"#),
            r#"{"Authorization": "<redacted>"}"#
        );
        assert_eq!(scrub("the bearer of news"), "the bearer of news");
        assert_eq!(scrub("no secrets here"), "no secrets here");
    }

    #[test]
    fn secret_pairs_in_forms_json_and_yaml_are_removed() {
        assert_eq!(
            scrub("client_id=app&client_secret=hunter22&grant_type=client_credentials"),
            "client_id=app&client_secret=<redacted>&grant_type=client_credentials"
        );
        assert_eq!(
            scrub(r#"{"access_token":"emu.123","expires_in":3600}"#),
            r#"{"access_token":"<redacted>","expires_in":3600}"#
        );
        assert_eq!(
            scrub(r#"body: "{\"access_token\":\"emu.123\"}""#),
            r#"body: "{\"access_token\":\"<redacted>\"}""#
        );
        assert_eq!(
            scrub("users:\n- name: u\n  user:\n    token: 0f0f0f0f\n"),
            "users:\n- name: u\n  user:\n    token: <redacted>\n"
        );
        assert_eq!(
            scrub("token_file: /var/run/token, tokens=3"),
            "token_file: /var/run/token, tokens=3"
        );
    }

    #[test]
    fn jwts_and_private_keys_are_removed() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2lnbmF0dXJl";
        assert_eq!(
            scrub(&format!("assertion {jwt} sent")),
            "assertion <redacted jwt> sent"
        );
        let pem = "a\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\nb";
        assert_eq!(scrub(pem), "a\n<redacted private key>\nb");
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        assert_eq!(scrub(cert), cert, "a certificate is public");
        assert_eq!(
            scrub("-----BEGIN RSA PRIVATE KEY-----\nMIIE (cut"),
            "<redacted private key>"
        );
    }

    #[test]
    fn secrets_the_provider_was_given_are_removed() {
        keep_secret("s3cr3t-from-config");
        keep_secret("abc");
        assert_eq!(
            scrub("failed with s3cr3t-from-config in it"),
            "failed with <redacted> in it"
        );
        assert_eq!(scrub("abc"), "abc", "too short to be a secret");
    }

    #[test]
    fn sensitive_field_names() {
        for name in [
            "client_secret",
            "kube_config",
            "Authorization",
            "access_token",
        ] {
            assert!(sensitive_name(name), "{name}");
        }
        for name in ["resource", "region", "frame.kind", "error"] {
            assert!(!sensitive_name(name), "{name}");
        }
    }
}
