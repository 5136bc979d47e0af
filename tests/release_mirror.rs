//! Release packaging, proven by Terraform itself: the provider packaged by `xtask` (zip, manifest,
//! SHA256SUMS) installs from a filesystem mirror with `terraform init -plugin-dir` and validates a
//! configuration.

#[path = "support/terraform.rs"]
#[allow(dead_code)]
mod terraform;

use std::process::Command;

#[test]
fn terraform_installs_the_packaged_provider_from_a_filesystem_mirror() {
    let tf = terraform::terraform_1_0_3();
    let dir =
        terraform::workspace_root().join(format!("target/e2e/work/mirror-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dist = dir.join("dist");
    let package = xtask::package(
        std::path::Path::new(env!("CARGO_BIN_EXE_terraform-provider-bcdr")),
        "0.1.0",
        &xtask::os_arch(),
        &dist,
    )
    .expect("package");

    let sums = std::fs::read_to_string(&package.sums).expect("sums");
    assert_eq!(sums.lines().count(), 2, "{sums}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&package.manifest).expect("manifest")).expect("json");
    assert_eq!(
        manifest["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );

    let mirror = dir.join("mirror/example.com/bcdr/bcdr");
    std::fs::create_dir_all(&mirror).expect("mirror");
    std::fs::copy(
        &package.zip,
        mirror.join(package.zip.file_name().expect("name")),
    )
    .expect("copy");
    std::fs::write(dir.join("empty.tfrc"), "").expect("cli config");
    std::fs::write(
        dir.join("main.tf"),
        r#"terraform {
  required_providers {
    bcdr = { source = "example.com/bcdr/bcdr", version = "0.1.0" }
  }
}

resource "bcdr_topology" "shop" {
  name = "shop"
  region "eastus" {
    vnet_cidr = "10.1.0.0/16"
  }
  region "westus" {
    vnet_cidr = "10.2.0.0/16"
  }
}
"#,
    )
    .expect("main.tf");
    let run = |args: &[&str]| {
        let out = Command::new(&tf)
            .args(args)
            .current_dir(&dir)
            .env("TF_CLI_CONFIG_FILE", dir.join("empty.tfrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .expect("terraform");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "terraform {}: {text}", args.join(" "));
        text
    };
    let plugin_dir = format!("-plugin-dir={}", dir.join("mirror").display());
    let init = run(&["init", "-no-color", &plugin_dir]);
    assert!(
        init.contains("Installed example.com/bcdr/bcdr v0.1.0"),
        "{init}"
    );
    run(&["validate", "-no-color"]);
    let lock = std::fs::read_to_string(dir.join(".terraform.lock.hcl")).expect("lock file");
    assert!(lock.contains("version     = \"0.1.0\""), "{lock}");
}
