//! Facts about Azure that both the `bcdr` SDK (validating before any ARM call) and the ARM emulator
//! (answering as Azure would) need: plain data and nothing else, each table citing where it comes
//! from. The SDK decides what to allow with them and the emulator what to answer; neither depends on
//! the other, and this crate depends on nothing.
//!
//! - [`regions`]: the public cloud's regions, their pairs, availability zones, and where AKS is
//!   offered;
//! - [`waf`]: Front Door WAF policy enums (match variables, operators, actions, SKUs);
//! - [`traffic_manager`]: Traffic Manager's geographic regional groupings;
//! - [`roles`]: the built-in role definitions a topology assigns;
//! - [`aks_backup`]: where Azure Backup for AKS offers the Vault tier and Cross Region Restore.

pub mod aks_backup;
pub mod regions;
pub mod roles;
pub mod traffic_manager;
pub mod waf;
