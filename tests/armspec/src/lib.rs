//! Validates ARM bodies against the real ARM OpenAPI (swagger 2.0) specs in `shared/arm-specs`
//! (or `$BCDR_ARM_SPECS`): finds the operation by method and URL path, then checks the body against
//! the declared schema with `$ref`s resolved across files: types, required and unknown properties,
//! non-extensible enums, `x-nullable`, and that the status code is declared at all.
//!
//! Where the specs are missing, [`Specs::load`] says so loudly and returns `None` (in a user's clone);
//! under CI (`CI` set) it panics, because CI always has them.
//!
//! Two roots hold spec files, both laid out as upstream (`specification/...`): the shared copy
//! ([`location`]) and, for resource families it lacks, this crate's own `specs/` ([`kept`]), whose
//! files are byte-identical copies of Azure/azure-rest-api-specs named with their upstream commit in
//! `specs/PROVENANCE.md`. A `$ref` from a kept file to a file not kept (common-types) resolves in the
//! shared copy.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Request bodies may not carry read-only properties; responses may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

#[derive(Debug)]
pub struct Specs {
    root: PathBuf,
    kept: PathBuf,
    cache: Mutex<HashMap<PathBuf, std::sync::Arc<Value>>>,
}

/// Where the specs are: `$BCDR_ARM_SPECS`, else `../shared/arm-specs` beside the workspace.
pub fn location() -> PathBuf {
    if let Some(p) = std::env::var_os("BCDR_ARM_SPECS") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/arm-specs")
}

/// The spec files kept in this repository (families the shared copy lacks).
pub fn kept() -> PathBuf {
    normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("specs"))
}

/// What one schema says once `$ref` and `allOf` are followed.
#[derive(Default)]
struct Shape {
    kind: Option<String>,
    properties: Map<String, Value>,
    files: HashMap<String, PathBuf>,
    required: Vec<String>,
    additional: Option<(PathBuf, Value)>,
    items: Option<(PathBuf, Value)>,
    enumeration: Option<Vec<Value>>,
    extensible_enum: bool,
    nullable: bool,
    declared_object: bool,
    /// A polymorphic base: the property naming the subtype, and the file whose definitions hold them.
    discriminator: Option<(PathBuf, String)>,
}

impl Specs {
    /// The specs, or `None` with a loud note (a panic under CI) when they are not there.
    pub fn load(test: &str) -> Option<Self> {
        let root = location();
        if root.join("specification").is_dir() {
            return Some(Self {
                root: normalize(&root),
                kept: kept(),
                cache: Mutex::new(HashMap::new()),
            });
        }
        let note = format!(
            "ARM SPEC CHECK DID NOT RUN ({test}): no specs at {}; set BCDR_ARM_SPECS to a copy of shared/arm-specs",
            root.display()
        );
        if std::env::var_os("CI").is_some() {
            panic!("{note}");
        }
        let _ = writeln!(std::io::stderr(), "\n*** {note} ***\n");
        None
    }

    /// `path`, or when it is a kept file's `$ref` to a file not kept, the shared copy's.
    fn located(&self, path: &Path) -> PathBuf {
        let path = normalize(path);
        if path.exists() {
            return path;
        }
        let shared = match path.strip_prefix(&self.kept) {
            Ok(rest) => self.root.join(rest),
            Err(_) => path,
        };
        if shared.exists() {
            return shared;
        }
        // The common types live at `specification/common-types` only; some upstream files reach
        // them one `..` too far (kubernetesconfiguration's extensions.json, 2023-05-01, after the
        // folder's move into `extensions/`), which resolves there all the same.
        let text = shared.to_string_lossy();
        match text.rfind("/common-types/") {
            Some(at) => self.root.join("specification").join(&text[at + 1..]),
            None => shared,
        }
    }

    /// The entry file `spec` (relative to `specification/`): kept here, else in the shared copy.
    fn entry(&self, spec: &str) -> PathBuf {
        let kept = self.kept.join("specification").join(spec);
        if kept.exists() {
            kept
        } else {
            self.root.join("specification").join(spec)
        }
    }

    fn file(&self, path: &Path) -> std::sync::Arc<Value> {
        let path = self.located(path);
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .entry(path.clone())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("spec {}: {e}", path.display()));
                std::sync::Arc::new(
                    serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("spec {}: {e}", path.display())),
                )
            })
            .clone()
    }

    fn resolve(&self, base: &Path, reference: &str) -> (PathBuf, Value) {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let file = if file.is_empty() {
            base.to_path_buf()
        } else {
            normalize(&base.parent().unwrap_or(base).join(file))
        };
        let doc = self.file(&file);
        let target = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("unresolved $ref {reference} from {}", base.display()))
            .clone();
        (file, target)
    }

    fn shape(&self, file: &Path, schema: &Value, shape: &mut Shape) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let (f, s) = self.resolve(file, r);
            if schema.get("x-nullable") == Some(&Value::Bool(true)) {
                shape.nullable = true;
            }
            return self.shape(&f, &s, shape);
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.shape(file, part, shape);
        }
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            shape.kind = Some(t.to_owned());
        }
        if let Some(d) = schema.get("discriminator").and_then(Value::as_str) {
            shape.discriminator = Some((file.to_path_buf(), d.to_owned()));
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            shape.declared_object = true;
            for (k, v) in props {
                shape.properties.insert(k.clone(), v.clone());
                shape.files.insert(k.clone(), file.to_path_buf());
            }
        }
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(r) = r.as_str() {
                shape.required.push(r.to_owned());
            }
        }
        if let Some(a) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            shape.additional = Some((file.to_path_buf(), a.clone()));
        }
        if let Some(i) = schema.get("items") {
            shape.items = Some((file.to_path_buf(), i.clone()));
        }
        if let Some(e) = schema.get("enum").and_then(Value::as_array) {
            shape.enumeration = Some(e.clone());
            shape.extensible_enum =
                schema.pointer("/x-ms-enum/modelAsString") != Some(&Value::Bool(false));
        }
        if schema.get("x-nullable") == Some(&Value::Bool(true)) {
            shape.nullable = true;
        }
    }

    fn check_value(
        &self,
        file: &Path,
        schema: &Value,
        value: &Value,
        at: &str,
        dir: Direction,
        errors: &mut Vec<String>,
    ) {
        let mut shape = Shape::default();
        self.shape(file, schema, &mut shape);
        if let Some((base, property)) = shape.discriminator.clone()
            && let Some(kind) = value.get(&property).and_then(Value::as_str)
        {
            // Swagger polymorphism: the definition whose `x-ms-discriminator-value` (or name) is the
            // value's discriminator describes it.
            let doc = self.file(&base);
            let sub = doc["definitions"].as_object().and_then(|defs| {
                defs.iter()
                    .find(|(name, d)| {
                        d.get("x-ms-discriminator-value").and_then(Value::as_str) == Some(kind)
                            || (d.get("x-ms-discriminator-value").is_none() && *name == kind)
                    })
                    .map(|(_, d)| d.clone())
            });
            match sub {
                Some(sub) => {
                    shape = Shape::default();
                    self.shape(&base, &sub, &mut shape);
                }
                None => errors.push(format!("{at}.{property}: {kind:?} names no known subtype")),
            }
        }
        if value.is_null() {
            if !shape.nullable {
                errors.push(format!("{at}: null is not allowed"));
            }
            return;
        }
        let kind = shape.kind.clone().or_else(|| {
            (shape.declared_object || shape.additional.is_some()).then(|| "object".to_owned())
        });
        match kind.as_deref() {
            Some("string") if !value.is_string() => {
                errors.push(format!("{at}: expected a string, got {value}"))
            }
            Some("integer") if !(value.is_i64() || value.is_u64()) => {
                errors.push(format!("{at}: expected an integer, got {value}"))
            }
            Some("number") if !value.is_number() => {
                errors.push(format!("{at}: expected a number, got {value}"))
            }
            Some("boolean") if !value.is_boolean() => {
                errors.push(format!("{at}: expected a boolean, got {value}"))
            }
            Some("array") => match value.as_array() {
                None => errors.push(format!("{at}: expected an array, got {value}")),
                Some(items) => {
                    if let Some((f, s)) = &shape.items {
                        for (i, item) in items.iter().enumerate() {
                            self.check_value(f, s, item, &format!("{at}[{i}]"), dir, errors);
                        }
                    }
                }
            },
            Some("object") => match value.as_object() {
                None => errors.push(format!("{at}: expected an object, got {value}")),
                Some(map) => self.check_object(&shape, map, at, dir, errors),
            },
            _ => {}
        }
        if let (Some(allowed), false, Some(s)) =
            (&shape.enumeration, shape.extensible_enum, value.as_str())
            && !allowed
                .iter()
                .any(|a| a.as_str().is_some_and(|a| a.eq_ignore_ascii_case(s)))
        {
            errors.push(format!("{at}: {s:?} is not one of {allowed:?}"));
        }
    }

    fn check_object(
        &self,
        shape: &Shape,
        map: &Map<String, Value>,
        at: &str,
        dir: Direction,
        errors: &mut Vec<String>,
    ) {
        for r in &shape.required {
            if !map.contains_key(r) {
                errors.push(format!("{at}.{r}: required but missing"));
            }
        }
        for (k, v) in map {
            let here = format!("{at}.{k}");
            if let Some(prop) = shape.properties.get(k) {
                let file = &shape.files[k];
                if dir == Direction::Request && self.read_only(file, prop) {
                    errors.push(format!("{here}: read-only, must not be sent"));
                }
                self.check_value(file, prop, v, &here, dir, errors);
            } else if let Some((f, s)) = &shape.additional {
                self.check_value(f, s, v, &here, dir, errors);
            } else if shape.declared_object {
                errors.push(format!("{here}: not in the spec"));
            }
        }
    }

    fn read_only(&self, file: &Path, prop: &Value) -> bool {
        if prop.get("readOnly") == Some(&Value::Bool(true)) {
            return true;
        }
        match prop.get("$ref").and_then(Value::as_str) {
            Some(r) => self.resolve(file, r).1.get("readOnly") == Some(&Value::Bool(true)),
            None => false,
        }
    }

    /// The operation for `method` on `url_path` in `spec` (relative to `specification/`).
    fn operation(&self, spec: &str, method: &str, url_path: &str) -> (PathBuf, Value) {
        let file = self.entry(spec);
        let doc = self.file(&file);
        let wanted: Vec<&str> = url_path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let paths = doc["paths"]
            .as_object()
            .unwrap_or_else(|| panic!("{spec} has no paths"));
        let found = paths
            .iter()
            .filter(|(template, _)| {
                let parts: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
                let same = |t: &[&str], w: &[&str]| {
                    t.len() == w.len()
                        && t.iter()
                            .zip(w)
                            .all(|(t, w)| t.starts_with('{') || t.eq_ignore_ascii_case(w))
                };
                match parts.split_first() {
                    // `{scope}` stands for any number of segments (role assignments on any resource).
                    Some((&"{scope}", rest)) => {
                        wanted.len() > rest.len()
                            && same(rest, &wanted[wanted.len() - rest.len()..])
                    }
                    _ => same(&parts, &wanted),
                }
            })
            .min_by_key(|(template, _)| template.matches('{').count())
            .unwrap_or_else(|| panic!("no path in {spec} matches {url_path}"));
        let op = found
            .1
            .get(method.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("{spec}: {} has no {method}", found.0))
            .clone();
        (file, op)
    }

    /// Errors of a response: its status must be declared (errors fall to `default`), its body must match.
    pub fn check_response(
        &self,
        spec: &str,
        method: &str,
        url_path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Vec<String> {
        let (file, op) = self.operation(spec, method, url_path);
        let key = status.to_string();
        let response = match op["responses"].get(&key) {
            Some(r) => r.clone(),
            None if status >= 400 => match op["responses"].get("default") {
                Some(r) => r.clone(),
                None => return Vec::new(), // ACR and storage declare no error schema at all
            },
            None => {
                return vec![format!(
                    "{method} {url_path}: status {status} is not declared"
                )];
            }
        };
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(r) => self.resolve(&file, r).1,
            None => response,
        };
        let mut errors = Vec::new();
        match (response.get("schema"), body) {
            (Some(schema), Some(body)) => {
                self.check_value(&file, schema, body, "$", Direction::Response, &mut errors)
            }
            (Some(_), None) => errors.push(format!(
                "{method} {url_path} {status}: the spec declares a body, none was sent"
            )),
            (None, Some(body)) => errors.push(format!(
                "{method} {url_path} {status}: the spec declares no body, got {body}"
            )),
            (None, None) => {}
        }
        errors
    }

    /// Errors of a request body.
    pub fn check_request(
        &self,
        spec: &str,
        method: &str,
        url_path: &str,
        body: &Value,
    ) -> Vec<String> {
        let (file, op) = self.operation(spec, method, url_path);
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let body_param = params
            .iter()
            .map(|p| match p.get("$ref").and_then(Value::as_str) {
                Some(r) => self.resolve(&file, r),
                None => (file.clone(), p.clone()),
            });
        let Some((pfile, param)) = body_param.into_iter().find(|(_, p)| p["in"] == "body") else {
            return vec![format!("{method} {url_path}: the spec takes no body")];
        };
        let mut errors = Vec::new();
        self.check_value(
            &pfile,
            &param["schema"],
            body,
            "$",
            Direction::Request,
            &mut errors,
        );
        errors
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Spec files, relative to `specification/`, by resource family.
pub mod files {
    pub const RESOURCES: &str =
        "resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json";
    pub const SUBSCRIPTIONS: &str =
        "resources/resource-manager/Microsoft.Resources/stable/2022-12-01/subscriptions.json";
    pub const VIRTUAL_NETWORK: &str =
        "network/resource-manager/Microsoft.Network/stable/2024-03-01/virtualNetwork.json";
    pub const MANAGED_CLUSTERS: &str = "containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2024-09-01/managedClusters.json";
    pub const PRIVATE_ENDPOINT: &str =
        "network/resource-manager/Microsoft.Network/stable/2024-03-01/privateEndpoint.json";
    pub const PUBLIC_IP: &str =
        "network/resource-manager/Microsoft.Network/stable/2024-03-01/publicIpAddress.json";
    pub const TRAFFIC_MANAGER: &str =
        "trafficmanager/resource-manager/Microsoft.Network/stable/2022-04-01/trafficmanager.json";
    pub const CONTAINER_REGISTRY: &str = "containerregistry/resource-manager/Microsoft.ContainerRegistry/stable/2023-07-01/containerregistry.json";
    pub const FRONT_DOOR: &str = "cdn/resource-manager/Microsoft.Cdn/stable/2024-09-01/afdx.json";
    pub const CDN_PROFILES: &str = "cdn/resource-manager/Microsoft.Cdn/stable/2024-09-01/cdn.json";
    pub const FRONT_DOOR_WAF: &str = "frontdoor/resource-manager/Microsoft.Network/stable/2024-02-01/webapplicationfirewall.json";
    pub const STORAGE: &str =
        "storage/resource-manager/Microsoft.Storage/stable/2023-05-01/storage.json";
    pub const ROLE_ASSIGNMENTS: &str = "authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json";
    // Kept in this repository (`specs/`, see `specs/PROVENANCE.md`): families the shared copy lacks.
    pub const POSTGRES_FLEXIBLE_SERVERS: &str = "postgresql/resource-manager/Microsoft.DBforPostgreSQL/PostgreSQL/stable/2024-08-01/FlexibleServers.json";
    pub const POSTGRES_VIRTUAL_ENDPOINTS: &str = "postgresql/resource-manager/Microsoft.DBforPostgreSQL/PostgreSQL/stable/2024-08-01/VirtualEndpoints.json";
    pub const POSTGRES_REPLICAS: &str = "postgresql/resource-manager/Microsoft.DBforPostgreSQL/PostgreSQL/stable/2024-08-01/Replicas.json";
    pub const POSTGRES_ADMINISTRATORS: &str = "postgresql/resource-manager/Microsoft.DBforPostgreSQL/PostgreSQL/stable/2024-08-01/Administrators.json";
    pub const DATA_PROTECTION: &str = "dataprotection/resource-manager/Microsoft.DataProtection/stable/2024-04-01/dataprotection.json";
    pub const K8S_EXTENSIONS: &str = "kubernetesconfiguration/resource-manager/Microsoft.KubernetesConfiguration/extensions/stable/2023-05-01/extensions.json";
    pub const K8S_FLUX_CONFIGURATIONS: &str = "kubernetesconfiguration/resource-manager/Microsoft.KubernetesConfiguration/fluxConfigurations/stable/2023-05-01/fluxconfiguration.json";
}
