//! `cargo xtask release [VERSION]`: builds the provider in release mode and packages it under
//! `target/dist/` (zip, manifest, SHA256SUMS), ready for a registry or a filesystem mirror.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("release") => {
            let version = args
                .get(1)
                .cloned()
                .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned());
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let built = Command::new(cargo)
                .args(["build", "--release", "-p", xtask::NAME])
                .current_dir(&root)
                .status();
            if !built.is_ok_and(|s| s.success()) {
                eprintln!("xtask: the release build failed");
                return ExitCode::FAILURE;
            }
            let binary = root.join("target/release").join(xtask::NAME);
            match xtask::package(
                &binary,
                &version,
                &xtask::os_arch(),
                &root.join("target/dist"),
            ) {
                Ok(p) => {
                    println!(
                        "{}\n{}\n{}",
                        p.zip.display(),
                        p.manifest.display(),
                        p.sums.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("xtask: packaging failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: cargo xtask release [VERSION]");
            ExitCode::from(2)
        }
    }
}
