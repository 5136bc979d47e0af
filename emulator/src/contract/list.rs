//! ARM's list answers: `{"value": [...]}` a page at a time, with a `nextLink` to the next page
//! (`$skiptoken`) past [`PAGE`] items or the caller's `$top`; and the `$filter` of the generic lists
//! (`resourceType`, `name`, `location`, `resourceGroup`, `tagName`/`tagValue`, each `eq '...'`, joined
//! by `and`), as the Resources spec describes them.

use crate::contract::error::ArmError;
use crate::contract::request::{Ctx, Resp};
use serde_json::{Value, json};

/// Items per page when the caller sets no `$top` (ARM's own page sizes vary by provider; the point is
/// that clients follow `nextLink`).
pub const PAGE: usize = 100;

/// `items` as one page of a list answer, with a `nextLink` when more follow.
pub fn page(ctx: &Ctx<'_>, items: Vec<Value>) -> Resp {
    let skip: usize = ctx
        .query
        .get("$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let size = ctx
        .query
        .get("$top")
        .and_then(|t| t.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(PAGE);
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(skip).take(size).collect();
    let mut body = json!({ "value": value });
    if skip + size < total {
        body["nextLink"] = json!(next_link(&ctx.request_url, skip + size));
    }
    Resp::json(200, body)
}

/// `url` with its `$skiptoken` set to `next`.
fn next_link(url: &str, next: usize) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| {
            !p.is_empty() && !p.starts_with("$skiptoken=") && !p.starts_with("%24skiptoken=")
        })
        .map(str::to_owned)
        .collect();
    pairs.push(format!("$skiptoken={next}"));
    format!("{base}?{}", pairs.join("&"))
}

/// One `field eq 'value'` of a `$filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub field: String,
    pub value: String,
}

/// The clauses of a generic list's `$filter`; 400 `InvalidFilterInQueryString` for what it cannot
/// read.
pub fn filter(text: &str) -> Result<Vec<Clause>, ArmError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut rest = (text, lower.as_str());
    loop {
        let (part, next) = match rest.1.find(" and ") {
            Some(i) => (
                (&rest.0[..i], &rest.1[..i]),
                Some((&rest.0[i + 5..], &rest.1[i + 5..])),
            ),
            None => (rest, None),
        };
        let Some(eq) = part.1.find(" eq ") else {
            return Err(refused(text));
        };
        let field = part.0[..eq].trim().to_owned();
        let value = part.0[eq + 4..].trim();
        let Some(value) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) else {
            return Err(refused(text));
        };
        out.push(Clause {
            field,
            value: value.replace("''", "'"),
        });
        match next {
            Some(n) => rest = n,
            None => return Ok(out),
        }
    }
}

fn refused(text: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidFilterInQueryString",
        format!(
            "Invalid $filter '{text}' specified in the query string: use resourceType, name, location, resourceGroup, tagName or tagValue with eq, joined by and."
        ),
    )
}

/// Whether the generic resource `r` (`id`, `name`, `type`, `location`, `tags`) passes `clauses`.
pub fn passes(r: &Value, clauses: &[Clause]) -> bool {
    let tag = clauses
        .iter()
        .find(|c| c.field.eq_ignore_ascii_case("tagName"))
        .map(|c| c.value.as_str());
    clauses.iter().all(|c| {
        let s = |key: &str| r[key].as_str().unwrap_or_default();
        match c.field.to_ascii_lowercase().as_str() {
            "resourcetype" => s("type").eq_ignore_ascii_case(&c.value),
            "name" => s("name").eq_ignore_ascii_case(&c.value),
            "location" => s("location").eq_ignore_ascii_case(&c.value),
            "resourcegroup" => s("id")
                .split('/')
                .nth(4)
                .is_some_and(|g| g.eq_ignore_ascii_case(&c.value)),
            "tagname" => r["tags"]
                .as_object()
                .is_some_and(|t| t.keys().any(|k| k.eq_ignore_ascii_case(&c.value))),
            "tagvalue" => r["tags"].as_object().is_some_and(|t| {
                t.iter().any(|(k, v)| {
                    tag.is_none_or(|name| k.eq_ignore_ascii_case(name))
                        && v.as_str() == Some(c.value.as_str())
                })
            }),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_reads_eq_clauses_joined_by_and() {
        let clauses =
            filter("resourceType eq 'Microsoft.ContainerRegistry/registries' and name eq 'reg''s'")
                .expect("readable");
        assert_eq!(clauses.len(), 2);
        assert_eq!(clauses[1].value, "reg's");
        assert!(filter("name ne 'x'").is_err());
        assert!(filter("").expect("empty").is_empty());
        let r = json!({ "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/a",
            "name": "a", "type": "Microsoft.ContainerRegistry/registries", "location": "eastus",
            "tags": { "team": "dr" } });
        assert!(passes(
            &r,
            &filter("resourceType eq 'microsoft.containerregistry/registries'").expect("f")
        ));
        assert!(passes(
            &r,
            &filter("tagName eq 'team' and tagValue eq 'dr'").expect("f")
        ));
        assert!(passes(&r, &filter("resourceGroup eq 'G'").expect("f")));
        assert!(!passes(&r, &filter("name eq 'b'").expect("f")));
    }

    #[test]
    fn a_long_list_links_to_its_next_page() {
        assert_eq!(
            next_link(
                "https://h/subscriptions/s/resources?api-version=1&$skiptoken=100",
                200
            ),
            "https://h/subscriptions/s/resources?api-version=1&$skiptoken=200"
        );
    }
}
