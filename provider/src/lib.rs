//! `terraform-provider-bcdr`: the Terraform/OpenTofu provider for bcdr. It translates between
//! Terraform's wire values and the `bcdr` SDK, and nothing else.
//!
//! - [`serve`]: go-plugin handshake, mutual TLS, gRPC services;
//! - [`server`]: the tfplugin6 `Provider` service, one method per RPC;
//! - [`config`]: the provider block; [`topology`]: the `bcdr_topology` resource; [`kubeconfig`]:
//!   the `bcdr_kubeconfig` ephemeral resource;
//! - [`schema`], [`value`]: Terraform's schema and value encodings; [`diag`]: the provider's errors and
//!   warnings, which [`server::wire`] alone turns into tfplugin6 diagnostics.

pub mod config;
pub mod diag;
pub mod docs;
pub mod kubeconfig;
pub mod log;
pub mod regions;
pub mod schema;
pub mod serve;
pub mod server;
pub mod timeouts;
pub mod tls;
pub mod topology;
pub mod value;

/// Code generated from `proto/` at build time.
#[allow(missing_debug_implementations, clippy::all, clippy::pedantic)]
pub mod proto {
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}
