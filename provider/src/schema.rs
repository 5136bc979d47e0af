//! A small schema language for our blocks and attributes: the one source for `GetProviderSchema`, for
//! building complete objects (Terraform 1.0 needs every attribute present), and for the docs.

use crate::proto::tfplugin6 as pb;
use crate::value::Value;
use std::collections::BTreeMap;

/// An attribute type (cty).
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    Number,
    Bool,
    List(Box<Ty>),
    Map(Box<Ty>),
}

impl Ty {
    pub fn json(&self) -> serde_json::Value {
        match self {
            Ty::String => "string".into(),
            Ty::Number => "number".into(),
            Ty::Bool => "bool".into(),
            Ty::List(t) => serde_json::json!(["list", t.json()]),
            Ty::Map(t) => serde_json::json!(["map", t.json()]),
        }
    }

    /// Terraform's spelling, for the docs.
    pub fn hcl(&self) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Number => "Number".into(),
            Ty::Bool => "Boolean".into(),
            Ty::List(t) => format!("List of {}", t.hcl()),
            Ty::Map(t) => format!("Map of {}", t.hcl()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Required,
    Optional,
    /// Optional; the provider plans a default when it is not set.
    OptionalComputed,
    Computed,
}

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub mode: Mode,
    pub sensitive: bool,
    pub description: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    /// Blocks with one label, keyed by it: `region "eastus" { ... }`.
    Map,
}

#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub name: &'static str,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
    pub block: Block,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub description: &'static str,
    pub attributes: Vec<Attr>,
    pub blocks: Vec<NestedBlock>,
}

pub fn attr(name: &'static str, ty: Ty, mode: Mode, description: &'static str) -> Attr {
    Attr {
        name,
        ty,
        mode,
        sensitive: false,
        description,
    }
}

pub fn secret(name: &'static str, description: &'static str) -> Attr {
    Attr {
        name,
        ty: Ty::String,
        mode: Mode::Optional,
        sensitive: true,
        description,
    }
}

impl Block {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    pub fn to_proto(&self, version: i64) -> pb::Schema {
        pb::Schema {
            version,
            block: Some(self.proto_block(version)),
        }
    }

    fn proto_block(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            description: self.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
            attributes: self
                .attributes
                .iter()
                .map(|a| pb::schema::Attribute {
                    name: a.name.to_owned(),
                    r#type: a.ty.json().to_string().into_bytes(),
                    description: a.description.to_owned(),
                    required: a.mode == Mode::Required,
                    optional: matches!(a.mode, Mode::Optional | Mode::OptionalComputed),
                    computed: matches!(a.mode, Mode::Computed | Mode::OptionalComputed),
                    sensitive: a.sensitive,
                    description_kind: pb::StringKind::Markdown as i32,
                    deprecated: false,
                })
                .collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.to_owned(),
                    block: Some(b.block.proto_block(0)),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Map => pb::schema::nested_block::NestingMode::Map,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
        }
    }

    /// `value` made complete for this block: every attribute present (null when missing), every nested
    /// block present (empty list/map, or null for a single block), recursively. Values are coerced to
    /// the attribute's type where the encoding allows (numbers from strings).
    pub fn complete(&self, value: &Value) -> Value {
        if value.is_unknown() {
            return Value::Unknown;
        }
        let mut out = BTreeMap::new();
        for a in &self.attributes {
            let v = value.get(a.name).clone();
            let v = match (&a.ty, &v) {
                (Ty::Number, Value::String(s)) => s.parse().map(Value::Number).unwrap_or(v),
                _ => v,
            };
            out.insert(a.name.to_owned(), v);
        }
        for b in &self.blocks {
            let v = value.get(b.name);
            let completed = match (b.nesting, v) {
                (_, Value::Unknown) => Value::Unknown,
                (Nesting::Single, Value::Null) => Value::Null,
                (Nesting::Single, v) => b.block.complete(v),
                (Nesting::List, Value::List(items)) => {
                    Value::List(items.iter().map(|i| b.block.complete(i)).collect())
                }
                (Nesting::List, _) => Value::List(Vec::new()),
                (Nesting::Map, Value::Map(m)) => Value::Map(
                    m.iter()
                        .map(|(k, i)| (k.clone(), b.block.complete(i)))
                        .collect(),
                ),
                (Nesting::Map, _) => Value::Map(BTreeMap::new()),
            };
            out.insert(b.name.to_owned(), completed);
        }
        Value::Map(out)
    }
}
