//! Terraform values on the wire: msgpack (`DynamicValue.msgpack`) and JSON (stored state), decoded into
//! a small value type with unknowns, and encoded back. Objects must carry every schema attribute, so
//! encoding always goes through the schema (see `schema`).

use std::collections::BTreeMap;

/// A Terraform value. Objects and maps are both `Map`; lists and sets are both `List`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Known only after apply (msgpack extension; Terraform writes type 0, refined unknowns type 12).
    Unknown,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether this value or anything inside it is unknown.
    pub fn has_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(items) => items.iter().any(Value::has_unknown),
            Value::Map(m) => m.values().any(Value::has_unknown),
            _ => false,
        }
    }

    pub fn get(&self, key: &str) -> &Value {
        match self {
            Value::Map(m) => m.get(key).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// A number, also from the decimal strings Terraform may send for large or precise numbers.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    #[error("invalid msgpack value: {0}")]
    Msgpack(String),
    #[error("invalid json value: {0}")]
    Json(String),
}

fn from_rmpv(v: rmpv::Value) -> Value {
    match v {
        rmpv::Value::Nil => Value::Null,
        rmpv::Value::Ext(_, _) => Value::Unknown,
        rmpv::Value::Boolean(b) => Value::Bool(b),
        rmpv::Value::Integer(i) => Value::Number(i.as_f64().unwrap_or_default()),
        rmpv::Value::F32(f) => Value::Number(f64::from(f)),
        rmpv::Value::F64(f) => Value::Number(f),
        rmpv::Value::String(s) => Value::String(s.into_str().unwrap_or_default()),
        rmpv::Value::Binary(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
        rmpv::Value::Array(items) => Value::List(items.into_iter().map(from_rmpv).collect()),
        rmpv::Value::Map(pairs) => Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        rmpv::Value::String(s) => s.into_str().unwrap_or_default(),
                        other => other.to_string(),
                    };
                    (key, from_rmpv(v))
                })
                .collect(),
        ),
    }
}

fn to_rmpv(v: &Value) -> rmpv::Value {
    match v {
        Value::Null => rmpv::Value::Nil,
        Value::Unknown => rmpv::Value::Ext(0, vec![0]),
        Value::Bool(b) => rmpv::Value::Boolean(*b),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
            rmpv::Value::Integer((*n as i64).into())
        }
        Value::Number(n) => rmpv::Value::F64(*n),
        Value::String(s) => rmpv::Value::String(s.clone().into()),
        Value::List(items) => rmpv::Value::Array(items.iter().map(to_rmpv).collect()),
        Value::Map(m) => rmpv::Value::Map(
            m.iter()
                .map(|(k, v)| (rmpv::Value::String(k.clone().into()), to_rmpv(v)))
                .collect(),
        ),
    }
}

pub fn decode_msgpack(bytes: &[u8]) -> Result<Value, ValueError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut cursor = bytes;
    rmpv::decode::read_value(&mut cursor)
        .map(from_rmpv)
        .map_err(|e| ValueError::Msgpack(e.to_string()))
}

pub fn encode_msgpack(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = rmpv::encode::write_value(&mut out, &to_rmpv(v));
    out
}

pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::List(items.iter().map(from_json).collect()),
        serde_json::Value::Object(m) => {
            Value::Map(m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

pub fn decode_json(bytes: &[u8]) -> Result<Value, ValueError> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ValueError::Json(e.to_string()))?;
    Ok(from_json(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_unknowns() {
        let v = Value::Map(BTreeMap::from([
            ("a".into(), Value::String("x".into())),
            ("n".into(), Value::Number(3.0)),
            ("f".into(), Value::Number(1.5)),
            ("u".into(), Value::Unknown),
            ("z".into(), Value::Null),
            ("l".into(), Value::List(vec![Value::Bool(true)])),
        ]));
        assert_eq!(decode_msgpack(&encode_msgpack(&v)).expect("decodes"), v);
    }

    #[test]
    fn refined_unknowns_and_decimal_strings() {
        let refined = rmpv::Value::Ext(12, vec![1, 2, 3]);
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &refined).expect("encode");
        assert!(decode_msgpack(&bytes).expect("decodes").is_unknown());
        assert_eq!(Value::String("42".into()).as_f64(), Some(42.0));
    }
}
