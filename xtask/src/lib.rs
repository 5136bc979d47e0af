//! Packaging the provider the way the Terraform registry and filesystem mirrors expect it:
//! `terraform-provider-bcdr_VERSION_OS_ARCH.zip` holding `terraform-provider-bcdr_vVERSION`,
//! `terraform-provider-bcdr_VERSION_manifest.json` (`protocol_versions: ["6.0"]`) and
//! `terraform-provider-bcdr_VERSION_SHA256SUMS` listing both.

use std::io::Write;
use std::path::{Path, PathBuf};

pub const NAME: &str = "terraform-provider-bcdr";

/// What `package` wrote.
#[derive(Debug)]
pub struct Package {
    pub zip: PathBuf,
    pub manifest: PathBuf,
    pub sums: PathBuf,
}

fn sha256_hex(bytes: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The platform in Terraform's spelling, e.g. `linux_amd64`.
pub fn os_arch() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// Packages `binary` as version `version` for `os_arch` into `out`.
pub fn package(
    binary: &Path,
    version: &str,
    os_arch: &str,
    out: &Path,
) -> std::io::Result<Package> {
    std::fs::create_dir_all(out)?;
    let bin = std::fs::read(binary)?;
    let zip_path = out.join(format!("{NAME}_{version}_{os_arch}.zip"));
    {
        let file = std::fs::File::create(&zip_path)?;
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .unix_permissions(0o755);
        zip.start_file(format!("{NAME}_v{version}"), options)
            .map_err(std::io::Error::other)?;
        zip.write_all(&bin)?;
        zip.finish().map_err(std::io::Error::other)?;
    }
    let manifest_path = out.join(format!("{NAME}_{version}_manifest.json"));
    let manifest =
        serde_json::json!({ "version": 1, "metadata": { "protocol_versions": ["6.0"] } });
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?,
    )?;
    let sums_path = out.join(format!("{NAME}_{version}_SHA256SUMS"));
    let mut sums = String::new();
    for path in [&zip_path, &manifest_path] {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        sums.push_str(&format!("{}  {name}\n", sha256_hex(&std::fs::read(path)?)));
    }
    std::fs::write(&sums_path, sums)?;
    Ok(Package {
        zip: zip_path,
        manifest: manifest_path,
        sums: sums_path,
    })
}
