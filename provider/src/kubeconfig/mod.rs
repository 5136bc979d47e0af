//! The `bcdr_kubeconfig` ephemeral resource (Terraform >= 1.10): a credential for one cluster of a
//! topology at apply time, never in the state or the plan. One file per RPC, as
//! terraform-plugin-framework lays them out: [`validate`], [`open`], and [`renew`] with close.
//! The provider only translates: which cluster, the credential read and the token are the SDK's
//! ([`bcdr::TopologyClient::cluster_credential`]).

pub mod open;
pub mod renew;
pub mod schema;
pub mod validate;

pub const TYPE_NAME: &str = "bcdr_kubeconfig";
