//! Shared harness of the end-to-end tests: an in-process ARM emulator, a Terraform working directory
//! whose CLI config points `example.com/bcdr/bcdr` at the freshly built provider (dev_overrides: no
//! `terraform init`, no network), and a runner that logs every Terraform command to the terminal.

#![allow(dead_code)]

pub mod checkov;
pub mod terraform;

use arm_emulator::{Config, Emulator};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000001";

/// Writes straight to stderr, past the test harness's capture, so the Terraform log shows in CI.
pub fn log(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// [`all`](Self::all) with whitespace collapsed: Terraform wraps a diagnostic's detail.
    pub fn words(&self) -> String {
        self.all().split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// A Terraform working directory whose CLI config points `example.com/bcdr/bcdr` at the freshly built
/// provider, and the `terraform` that runs in it.
pub struct Workdir {
    pub dir: PathBuf,
    pub terraform: PathBuf,
    pub label: String,
    /// Extra environment for every `terraform` run (and so for the provider it starts).
    pub env: std::sync::Mutex<Vec<(String, String)>>,
    /// Whether `terraform` sees the caller's `ARM_*` variables (only against real Azure).
    inherit_arm_env: bool,
}

/// A working directory and an emulator of its own (its state saved in the directory).
pub struct Harness {
    pub emulator: Emulator,
    /// The emulator's latency scale: every client of it (the provider, [`Harness::arm`]) polls at it.
    pub latency_scale: f64,
    work: Workdir,
}

impl std::ops::Deref for Harness {
    type Target = Workdir;

    fn deref(&self) -> &Workdir {
        &self.work
    }
}

impl Harness {
    pub async fn new(terraform: &Path, label: &str) -> Self {
        Self::with_emulator(
            terraform,
            label,
            Config {
                latency_scale: 0.0005,
                ..Config::default()
            },
        )
        .await
    }

    /// A harness whose emulator runs with `config` (its state path is set here).
    pub async fn with_emulator(terraform: &Path, label: &str, config: Config) -> Self {
        let work = Workdir::new(terraform, label);
        let config = Config {
            state_path: Some(work.dir.join("emulator.json")),
            ..config
        };
        let latency_scale = config.latency_scale;
        let emulator = Emulator::start(config).await.expect("emulator starts");
        Self {
            emulator,
            latency_scale,
            work,
        }
    }

    /// Writes `main.tf`: the provider pointed at the emulator, then `body`.
    pub fn config(&self, body: &str) {
        self.config_with("", body);
    }

    /// [`config`](Self::config) with `settings` (lines of HCL) added to the provider block. The
    /// provider polls at the emulator's latency scale (`poll_interval_scale`), as the emulator runs
    /// Azure's times scaled and sends no `Retry-After` where Azure sends none.
    pub fn config_with(&self, settings: &str, body: &str) {
        let provider = format!(
            r#"provider "bcdr" {{
  subscription_id     = "{SUBSCRIPTION}"
  tenant_id           = "00000000-0000-0000-0000-00000000aaaa"
  client_id           = "terraform-e2e"
  client_secret       = "e2e-secret"
  endpoint            = "{}"
  ca_certificate_file = "{}"
  poll_interval_scale = {}
{settings}
}}"#,
            self.emulator.endpoint(),
            self.dir.join("emulator.cert.pem").display(),
            self.latency_scale
        );
        self.write_main(&provider, body);
    }

    /// The ARM writes the emulator has logged (token requests and name checks aside).
    pub fn writes(&self) -> Vec<arm_emulator::LogEntry> {
        self.emulator
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/subscriptions/") && is_write(r))
            .collect()
    }

    /// An SDK client on the same emulator, for injecting drift as another ARM user would.
    pub fn arm(&self) -> bcdr::ArmClient {
        let cloud = bcdr::Cloud::custom(&self.emulator.endpoint(), &self.emulator.endpoint())
            .expect("cloud");
        let credential = bcdr::Credential::client_secret(
            "00000000-0000-0000-0000-00000000aaaa",
            "someone-else",
            "x",
        );
        bcdr::ArmClient::new(
            bcdr::ArmConfig::new(SUBSCRIPTION, cloud, credential)
                .trust_root_pem(self.emulator.ca_certificate_pem())
                .poll_interval_scale(self.latency_scale),
        )
        .expect("arm client")
    }
}

/// A passing test's directory goes with it (each holds a state, a plan cache and Terraform's
/// `.terraform`: hundreds of runs filled gigabytes); a failing one's stays for reading, as do all
/// with `BCDR_KEEP_WORKDIRS` set.
impl Drop for Workdir {
    fn drop(&mut self) {
        if !std::thread::panicking() && std::env::var_os("BCDR_KEEP_WORKDIRS").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Workdir {
    /// A fresh directory under `target/e2e/work`.
    pub fn new(terraform: &Path, label: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = terraform::workspace_root().join(format!(
            "target/e2e/work/{label}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(dir.join("plugins")).expect("work dir");
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_terraform-provider-bcdr"),
            dir.join("plugins/terraform-provider-bcdr"),
        )
        .expect("link provider");
        let cli = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"example.com/bcdr/bcdr\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            dir.join("plugins").display()
        );
        std::fs::write(dir.join("cli.tfrc"), cli).expect("cli config");
        Self {
            dir,
            terraform: terraform.to_path_buf(),
            label: label.to_owned(),
            env: std::sync::Mutex::new(Vec::new()),
            inherit_arm_env: false,
        }
    }

    /// A directory whose `terraform` runs connect as the caller's `ARM_*` variables say (acceptance
    /// tests against real Azure).
    pub fn from_environment(terraform: &Path, label: &str) -> Self {
        let mut work = Self::new(terraform, label);
        work.inherit_arm_env = true;
        work
    }

    /// Writes `main.tf`: the provider requirement, `provider` (the provider block), then `body`.
    pub fn write_main(&self, provider: &str, body: &str) {
        let text = format!(
            r#"terraform {{
  required_providers {{
    bcdr = {{ source = "example.com/bcdr/bcdr" }}
  }}
}}

{provider}

{body}
"#
        );
        std::fs::write(self.dir.join("main.tf"), text).expect("write main.tf");
    }

    /// `terraform ARGS -no-color` in the working directory, with the CLI config and `env`. Unless the
    /// directory takes its connection from the environment ([`Workdir::from_environment`]), the
    /// caller's `ARM_*` variables are left out: a test against the emulator must not pick up a
    /// developer's Azure login (`ARM_USE_CLI`, say) or subscription.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(&self.terraform);
        if !self.inherit_arm_env {
            for (name, _) in std::env::vars_os() {
                let arm = name
                    .to_str()
                    .is_some_and(|n| n.starts_with("ARM_") || n == "AZURE_FEDERATED_TOKEN_FILE");
                if arm {
                    command.env_remove(name);
                }
            }
        }
        // No log unless a test asks for one in `env` (the caller's TF_LOG would drown the output).
        command
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_LOG_PATH")
            .envs(self.env.lock().expect("env").clone())
            .args(args)
            .arg("-no-color")
            .current_dir(&self.dir)
            .env("TF_CLI_CONFIG_FILE", self.dir.join("cli.tfrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1");
        command
    }

    /// Runs `terraform ARGS` in the working directory and logs how it went.
    pub async fn tf(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        let started = Instant::now();
        let out = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("join")
            .expect("terraform runs");
        let output = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        log(&format!(
            "[{}] terraform {} -> exit {} in {:.2?}",
            self.label,
            args.join(" "),
            output.code,
            started.elapsed()
        ));
        output
    }

    /// Starts `terraform ARGS` without waiting for it, in a process group of its own (so that a test
    /// can send Ctrl-C to the group, as a terminal does: Terraform's outer process ignores SIGINT).
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        use std::os::unix::process::CommandExt;
        self.command(args)
            .process_group(0)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("terraform starts")
    }

    /// Runs and requires success.
    pub async fn tf_ok(&self, args: &[&str]) -> Output {
        let out = self.tf(args).await;
        assert_eq!(
            out.code,
            0,
            "terraform {} failed:\n{}",
            args.join(" "),
            out.all()
        );
        out
    }

    /// `terraform plan -detailed-exitcode`: 0 no changes, 2 changes.
    pub async fn plan_code(&self) -> (i32, Output) {
        let out = self.tf(&["plan", "-detailed-exitcode"]).await;
        assert!(
            out.code == 0 || out.code == 2,
            "plan failed:\n{}",
            out.all()
        );
        (out.code, out)
    }

    /// The state as `terraform show -json` reports it: the values of the first resource.
    /// The state's `bcdr_topology` (managed, not a data source: Terraform orders them differently
    /// across versions).
    pub async fn state_values(&self) -> serde_json::Value {
        let out = self.tf_ok(&["show", "-json"]).await;
        let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("show -json is JSON");
        v["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["mode"] == "managed" && r["type"] == "bcdr_topology")
            .map(|r| r["values"].clone())
            .unwrap_or_default()
    }
}

/// Whether a logged request changes anything: not a read, and not a POST that only asks
/// (`checkNameAvailability` and the like).
/// Azure Kubernetes Service RBAC Cluster Admin's role definition id.
pub const CLUSTER_ADMIN: &str = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";

/// The principals holding Azure Kubernetes Service RBAC Cluster Admin at `scope` itself (a
/// cluster's id), each with its `principalType`, sorted.
pub async fn cluster_admins_at(h: &Harness, scope: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = h
        .arm()
        .list(
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments"),
            "2022-04-01",
            &[("$filter", "atScope()")],
        )
        .await
        .expect("list the role assignments at the scope")
        .into_iter()
        .filter(|a| {
            let p = &a["properties"];
            p["scope"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(scope))
                && p["roleDefinitionId"]
                    .as_str()
                    .is_some_and(|r| r.ends_with(CLUSTER_ADMIN))
        })
        .map(|a| {
            let p = &a["properties"];
            let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            (text("principalId"), text("principalType"))
        })
        .collect();
    out.sort();
    out
}

pub fn is_write(r: &arm_emulator::LogEntry) -> bool {
    match r.method.as_str() {
        "GET" | "HEAD" => false,
        "POST" => !r.path.to_ascii_lowercase().contains("/check"),
        _ => true,
    }
}

/// Every complete example under `examples/terraform/`, each with its name and its text from its
/// first `resource` on (the provider block is the caller's).
pub fn complete_examples() -> Vec<(String, String)> {
    let dir = terraform::workspace_root().join("examples/terraform");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("main.tf").is_file())
        .collect();
    paths.sort();
    assert!(paths.len() >= 5, "{paths:?}");
    paths
        .into_iter()
        .map(|example| {
            let name = example
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let text = std::fs::read_to_string(example.join("main.tf")).expect("main.tf");
            let body = text[text
                .find("resource \"")
                .unwrap_or_else(|| panic!("{name}: no resource"))..]
                .to_owned();
            (name, body)
        })
        .collect()
}
