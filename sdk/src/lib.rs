//! `bcdr`: stand up and keep alive a multi-region business-continuity / disaster-recovery topology for
//! Azure Kubernetes Service, as Microsoft's AKS BC/DR guidance describes it.
//!
//! - [`model`]: the topology (pure data) and [`validate`]: its rules, checked before any ARM call;
//! - [`layout`]: the Azure resources a topology consists of, with deterministic names and tags;
//! - [`plan`]: a pure diff of desired against observed, as a DAG of ARM operations;
//! - [`engine`]: runs the DAG concurrently, with retries, events and cancellation;
//! - [`cancel`]: the signals (a deadline, Terraform's StopProvider) that end an apply and every
//!   request and wait of a client given one, token acquisition included;
//! - [`arm`]: the ARM client on `azure_core`, and one module per ARM resource type;
//! - [`topology`]: the client that ties them together (observe, plan, apply, import, destroy).
//!
//! ```no_run
//! use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let arm = ArmClient::new(ArmConfig::new(
//!     "00000000-0000-0000-0000-000000000000",
//!     Cloud::public(),
//!     Credential::client_secret("tenant", "client-id", "secret"),
//! ))?;
//! let topology = Topology::new("shop")
//!     .region(Region::new("eastus", "10.1.0.0/16"))
//!     .region(Region::new("westus", "10.2.0.0/16"));
//! let applied = TopologyClient::new(arm).apply(&topology, bcdr::engine::CancelSignal::never(), &|_| {}).await?;
//! println!("{:#?}", applied.status);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod arm;
pub mod cancel;
pub mod clock;
pub mod diagram;
pub mod engine;
pub mod error;
pub mod failover;
pub mod layout;
pub mod model;
pub mod names;
pub mod plan;
pub mod readiness;
pub mod regions;
pub mod topology;
pub mod validate;

pub use arm::auth::{AccessToken, Cloud, Credential};
pub use arm::settings::ConnectionSettings;
pub use arm::{ArmClient, ArmConfig};
pub use error::{Error, Result};
pub use model::{ClusterSettings, Region, Topology};
pub use topology::{
    Applied, ApplyFailure, ClusterCredential, ClusterEndpoint, Kubeconfig, RegionStatus,
    TopologyClient, TopologyStatus,
};
pub use validate::{Diagnostic, Severity};
