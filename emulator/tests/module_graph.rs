//! The emulator's modules import only downward, and never in a circle.
//!
//! Three floors, each a folder of `src/`: `contract` (ARM's contract as every resource type shares
//! it: requests, answers, errors, the store, long-running operations, api-versions), `rp` (one
//! module per resource type, holding only its type's rules) and `server` (HTTPS, the route table,
//! what happens around every request), with `lib.rs` on top. A module may use its own floor and the
//! floors below it, never one above; and no chain of `use`s may lead from a module back to itself.
//! References are read from the source as text: every `crate::a::b` path (grouped `use crate::{..}`
//! is refused so that nothing hides in braces), every `super::` path, and in a `mod.rs` the paths
//! through its own child modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const FLOORS: [&str; 3] = ["contract", "rp", "server"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every module of the library (main.rs is the binary's crate), by its path (`contract::store`;
/// `rp` for `rp/mod.rs`; `lib` for the root), with its source.
fn modules() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let root = src();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&root).expect("under src");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if parts.last().is_some_and(|l| l == "mod") {
                parts.pop();
            }
            let name = parts.join("::");
            if name == "main" {
                continue;
            }
            out.insert(
                name,
                std::fs::read_to_string(&path).expect("source is readable"),
            );
        }
    }
    out
}

/// The floor of a module: 0 `contract`, 1 `rp`, 2 `server`, 3 the root.
fn floor(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or_default();
    FLOORS
        .iter()
        .position(|f| *f == top)
        .unwrap_or(FLOORS.len())
}

/// The module a path after `crate::` names: as many leading segments as name a module.
fn target(path: &[&str], known: &BTreeMap<String, String>) -> String {
    let mut best = "lib".to_owned();
    for n in 1..=path.len() {
        let candidate = path[..n].join("::");
        if known.contains_key(&candidate) {
            best = candidate;
        }
    }
    best
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The `::`-separated identifiers starting at `text` (`a::b::C` -> [a, b, C]).
fn path_at(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(&rest[..end]);
        rest = &rest[end..];
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    out
}

/// What `module` (whose source is `text`) refers to, by module path.
fn references(
    module: &str,
    text: &str,
    known: &BTreeMap<String, String>,
) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    if code.contains("crate::{") {
        return Err(format!(
            "{module}: a grouped `use crate::{{...}}`; name each module's path"
        ));
    }
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(is_ident) {
            continue;
        }
        let path = path_at(&code[at + "crate::".len()..]);
        out.insert(target(&path, known));
    }
    // The parent, as `super::`.
    let parent: Vec<&str> = module.split("::").collect();
    let parent = &parent[..parent.len().saturating_sub(1)];
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let mut path = parent.to_vec();
        path.extend(path_at(&code[at + "super::".len()..]));
        out.insert(target(&path, known));
    }
    // A module's own children, named without `crate::` (in `rp/mod.rs`: `peering::pair_of`).
    let prefix = if module == "lib" {
        String::new()
    } else {
        format!("{module}::")
    };
    for child in known
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter(|c| !c.contains("::") && !c.is_empty())
    {
        let needle = format!("{child}::");
        let used = code.match_indices(&needle).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            !before.is_some_and(|c| is_ident(c) || c == ':')
        });
        if used {
            out.insert(format!("{prefix}{child}"));
        }
    }
    out.remove(module);
    Ok(out)
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let known = modules();
    assert!(
        known.contains_key("contract::store") && known.contains_key("server::http"),
        "the emulator's floors moved: update this test with them"
    );
    known
        .iter()
        .map(|(m, text)| {
            let refs = references(m, text, &known).unwrap_or_else(|e| panic!("{e}"));
            (m.clone(), refs)
        })
        .collect()
}

#[test]
fn no_module_imports_a_floor_above_its_own() {
    let mut upward = Vec::new();
    for (module, refs) in graph() {
        for r in refs {
            if floor(&r) > floor(&module) {
                upward.push(format!("{module} -> {r}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that go up a floor (contract < rp < server < lib):\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_chain_of_imports_leads_back_to_where_it_started() {
    let graph = graph();
    // Depth-first search, colouring: a grey node reached again closes a cycle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        colour: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        cycles: &mut Vec<String>,
    ) {
        colour.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match colour.get(next.as_str()).copied().unwrap_or(0) {
                0 => visit(next, graph, colour, stack, cycles),
                1 => {
                    let from = stack.iter().position(|s| s == next).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    cycles.push(cycle.join(" -> "));
                }
                _ => {}
            }
        }
        stack.pop();
        colour.insert(node.to_owned(), 2);
    }
    let mut colour = BTreeMap::new();
    let mut cycles = Vec::new();
    for node in graph.keys() {
        if colour.get(node.as_str()).copied().unwrap_or(0) == 0 {
            visit(node, &graph, &mut colour, &mut Vec::new(), &mut cycles);
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles between the emulator's modules:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_reader_sees_what_it_should() {
    // The parser itself: a grouped use is refused, a path names its deepest module, children of a
    // mod.rs count.
    let known: BTreeMap<String, String> = [
        ("lib", ""),
        ("contract", ""),
        ("contract::store", ""),
        ("rp", ""),
        ("rp::peering", ""),
        ("rp::network", ""),
        ("rp::network::vnet", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert!(references("rp::peering", "use crate::{contract::store};", &known).is_err());
    let refs = references(
        "rp",
        "use crate::contract::store::{Kind, State};\nfn f() { peering::pair_of(); }\n// crate::lib",
        &known,
    )
    .expect("readable");
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        ["contract::store", "rp::peering"]
    );
    let refs =
        references("rp::network::vnet", "use super::{etag, site};", &known).expect("readable");
    assert_eq!(refs.into_iter().collect::<Vec<_>>(), ["rp::network"]);
    assert_eq!(floor("contract::store"), 0);
    assert_eq!(floor("server::routes"), 2);
    assert_eq!(floor("lib"), 3);
}
