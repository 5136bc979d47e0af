//! Checkov for the end-to-end tests: an independent scanner of what the provider leaves in Azure.
//! Installed from PyPI (`checkov==3.3.30`) into a project-local venv under `target/e2e/checkov`, the
//! way [`super::terraform`] installs Terraform: a file lock so test binaries starting at once install
//! it once, reuse when it is there, and a panic when the install fails (these tests never skip for
//! want of a tool). Scans run offline: no download from Prisma Cloud, no update check.
//!
//! The resources a topology made are read back from ARM and written as an ARM deployment template,
//! which Checkov's `arm` framework scans.

use super::terraform::workspace_root;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const VERSION: &str = "3.3.30";
const PACKAGE: &str = "checkov==3.3.30";
const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// One check's result on one resource: (check ID, check name, resource as Checkov names it:
/// `<type>.<name>`).
pub type Finding = (String, String, String);

/// What one scan found.
#[derive(Debug, Default)]
pub struct Scan {
    pub failed: Vec<Finding>,
    pub passed: Vec<Finding>,
    /// The resources Checkov saw in the template.
    pub resource_count: u64,
    /// The template scanned.
    pub template: PathBuf,
}

impl Scan {
    /// How many checks ran (passed or failed).
    pub fn checks_run(&self) -> usize {
        self.failed.len() + self.passed.len()
    }
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `checkov` with the environment of an offline scan: no update check, no ID mapping download,
/// nothing sent to a platform (the caller's API key is left out).
fn command(bin: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true")
        .env("BC_SKIP_MAPPING", "TRUE")
        .env_remove("BC_API_KEY")
        .env_remove("PRISMA_API_URL")
        .env_remove("LOG_LEVEL");
    cmd
}

fn version_of(bin: &Path) -> Option<String> {
    let out = command(bin).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Checkov 3.3.30, installing it on first use.
pub fn checkov_3_3_30() -> PathBuf {
    let dir = workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    let lock = std::fs::File::create(dir.join("checkov.lock")).expect("create lock file");
    lock.lock().expect("lock the Checkov install");
    let venv = dir.join("checkov");
    let bin = venv.join("bin/checkov");
    if bin.is_file() && version_of(&bin).as_deref() == Some(VERSION) {
        return bin;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let _ = std::fs::remove_dir_all(&venv);
    let started = std::time::Instant::now();
    run(Command::new(&python).args(["-m", "venv"]).arg(&venv)).unwrap_or_else(|e| {
        panic!("cannot create a venv for Checkov (python3 with venv is required): {e}")
    });
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PACKAGE,
    ]))
    .unwrap_or_else(|e| panic!("cannot install Checkov {VERSION} from PyPI ({PACKAGE}): {e}"));
    assert!(
        bin.is_file(),
        "{PACKAGE} installed no checkov under {}",
        venv.display()
    );
    assert_eq!(
        version_of(&bin).as_deref(),
        Some(VERSION),
        "{} is not Checkov {VERSION}",
        bin.display()
    );
    super::log(&format!(
        "installed Checkov {VERSION} into {} in {:.1?}",
        venv.display(),
        started.elapsed()
    ));
    bin
}

/// The resource types Checkov's `arm` framework has checks for, spelled as Checkov registers them
/// (it matches a template's `type` case-sensitively), from `checkov --list --framework arm`.
pub fn checked_types() -> &'static BTreeSet<String> {
    static TYPES: OnceLock<BTreeSet<String>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let table = run(command(&checkov_3_3_30()).args(["--list", "--framework", "arm"]))
            .unwrap_or_else(|e| panic!("checkov --list: {e}"));
        // | # | Id | Type | Entity | Policy | IaC | Resource Link |
        let types: BTreeSet<String> = table
            .lines()
            .map(|line| line.split('|').map(str::trim).collect::<Vec<_>>())
            .filter(|cells| cells.len() >= 7 && cells[3] == "resource" && cells[6] == "arm")
            .map(|cells| cells[4].to_owned())
            .collect();
        assert!(
            types
                .iter()
                .any(|t| t == "Microsoft.ContainerService/managedClusters"),
            "checkov --list --framework arm lists no AKS check: cannot read its table:\n{table}"
        );
        types
    })
}

/// Whether Checkov has checks for `type_` in any spelling.
pub fn checks_type(type_: &str) -> bool {
    checked_types()
        .iter()
        .any(|t| t.eq_ignore_ascii_case(type_))
}

/// The type and the ARM template name of the resource `id`: for a child resource the template form
/// `parent/child` (`vnet/peering`), and its type `Namespace/parents/children`.
pub fn type_and_name(id: &str) -> (String, String) {
    let lower = id.to_ascii_lowercase();
    let Some(at) = lower.rfind("/providers/") else {
        // A resource group: /subscriptions/<s>/resourceGroups/<name>.
        let name = id.rsplit('/').next().unwrap_or_default();
        return ("Microsoft.Resources/resourceGroups".into(), name.into());
    };
    let rest: Vec<&str> = id[at + "/providers/".len()..].split('/').collect();
    let (namespace, pairs) = rest.split_first().expect("a namespace");
    let types: Vec<&str> = pairs.iter().step_by(2).copied().collect();
    let names: Vec<&str> = pairs.iter().skip(1).step_by(2).copied().collect();
    (format!("{namespace}/{}", types.join("/")), names.join("/"))
}

/// The ARM deployment template of `resources`, each `(api-version it was read with, resource as
/// ARM returned it)`. A resource whose `type` Checkov registers in another spelling (ARM types are
/// case-insensitive, Checkov's matching is not: Azure reads back
/// `Microsoft.Network/frontdoorwebapplicationfirewallpolicies`, Checkov registers
/// `FrontDoorWebApplicationFirewallPolicies` for one check and `frontdoorWebApplicationFirewallPolicies`
/// for another) is written once under each spelling Checkov registers, so that each of its checks
/// runs once on it; a type Checkov has no checks for is written as read.
pub fn arm_template(resources: &[(String, Value)]) -> Value {
    let mut out = Vec::new();
    for (api_version, resource) in resources {
        let id = resource["id"].as_str().expect("a resource with an id");
        let (id_type, name) = type_and_name(id);
        let read_type = resource["type"].as_str().unwrap_or(&id_type).to_owned();
        let spellings: Vec<String> = checked_types()
            .iter()
            .filter(|t| t.eq_ignore_ascii_case(&read_type))
            .cloned()
            .collect();
        let spellings = if spellings.is_empty() {
            vec![read_type]
        } else {
            spellings
        };
        for type_ in spellings {
            let mut entry = Map::new();
            entry.insert("type".into(), type_.into());
            entry.insert("apiVersion".into(), api_version.clone().into());
            entry.insert("name".into(), name.clone().into());
            for key in [
                "location",
                "sku",
                "kind",
                "zones",
                "identity",
                "tags",
                "properties",
            ] {
                if let Some(value) = resource.get(key).filter(|v| !v.is_null()) {
                    entry.insert(key.into(), value.clone());
                }
            }
            out.push(Value::Object(entry));
        }
    }
    json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": out,
    })
}

/// The results of one report of Checkov's JSON output.
fn results_of(report: &Value, key: &str) -> Vec<Finding> {
    report["results"][key]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            (text("check_id"), text("check_name"), text("resource"))
        })
        .collect()
}

/// Writes `resources` (see [`arm_template`]) as `dir/arm-template.json` and scans it with
/// `checkov --framework arm`, offline.
pub fn scan(dir: &Path, resources: &[(String, Value)]) -> Scan {
    std::fs::create_dir_all(dir).expect("create the scan directory");
    let template = dir.join("arm-template.json");
    let text = serde_json::to_string_pretty(&arm_template(resources)).expect("template JSON");
    std::fs::write(&template, text).expect("write the template");
    let out = command(&checkov_3_3_30())
        .args([
            "--framework",
            "arm",
            "-o",
            "json",
            "--compact",
            "--skip-download",
            "-f",
        ])
        .arg(&template)
        .current_dir(dir)
        .output()
        .expect("checkov runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0: nothing failed; 1: some check failed; anything else: Checkov itself failed.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "checkov failed on {} ({}):\n{stdout}\n{stderr}",
        template.display(),
        out.status
    );
    let mut scan = parse(&stdout)
        .unwrap_or_else(|e| panic!("checkov on {}: {e}\n{stdout}\n{stderr}", template.display()));
    scan.template = template;
    scan
}

/// Checkov's JSON output (`-o json`) as a [`Scan`]. With one framework it is one report object
/// (`check_type`, `results`, `summary`); with several, an array of them; a scan that found no
/// resource prints only a summary (`{"passed": 0, "failed": 0, ...}`), with no `results`. A
/// template Checkov could not parse is an error, not an empty scan.
pub fn parse(stdout: &str) -> Result<Scan, String> {
    let parsed: Value =
        serde_json::from_str(stdout).map_err(|e| format!("the output is not JSON ({e})"))?;
    let reports: Vec<Value> = match parsed {
        Value::Array(reports) => reports,
        report => vec![report],
    };
    let mut scan = Scan::default();
    for report in &reports {
        let summary = report.get("summary").unwrap_or(report);
        if !summary.is_object() || summary.get("passed").is_none() {
            return Err(format!("a report with no summary: {report}"));
        }
        let errors = summary["parsing_errors"].as_u64().unwrap_or_default();
        if errors != 0 {
            return Err(format!("{errors} files could not be parsed"));
        }
        let failed = results_of(report, "failed_checks");
        let passed = results_of(report, "passed_checks");
        let counted = summary["passed"].as_u64().unwrap_or_default()
            + summary["failed"].as_u64().unwrap_or_default();
        if counted as usize != failed.len() + passed.len() {
            return Err(format!(
                "the summary counts {counted} checks, the results list {}",
                failed.len() + passed.len()
            ));
        }
        scan.resource_count += summary["resource_count"].as_u64().unwrap_or_default();
        scan.failed.extend(failed);
        scan.passed.extend(passed);
    }
    Ok(scan)
}
