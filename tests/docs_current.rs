//! The committed docs (`docs/index.md`, `docs/resources/topology.md`) equal what the schema renders.
//! Regenerate with `BCDR_UPDATE_DOCS=1 cargo test -p terraform-provider-bcdr --test docs_current`.

use std::path::Path;
use terraform_provider_bcdr::docs;

fn check(relative: &str, rendered: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    if std::env::var_os("BCDR_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("docs dir");
        std::fs::write(&path, rendered).expect("write docs");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "{relative} is stale: run BCDR_UPDATE_DOCS=1 cargo test -p terraform-provider-bcdr --test docs_current"
    );
}

#[test]
fn provider_docs_are_current() {
    check("docs/index.md", &docs::index());
}

#[test]
fn topology_docs_are_current() {
    check("docs/resources/topology.md", &docs::topology());
}

#[test]
fn regions_docs_are_current() {
    check("docs/data-sources/regions.md", &docs::regions_data_source());
}
