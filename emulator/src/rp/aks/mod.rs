//! `Microsoft.ContainerService`: managed clusters (`cluster`) and their add-ons (`addons`), their
//! node pools (`pools` holds the rules every pool obeys, `agent_pool` the child resource), their
//! planned maintenance (`maintenance`), the resources it trusts (`trusted_access`), Azure CNI's address planning (`cni`), what AKS fixes at create (`fixed`), the
//! Kubernetes versions AKS offers (`versions`), and a stand-in for each cluster's API server (`api_server`).

pub mod addons;
pub mod agent_pool;
pub mod api_server;
pub mod cluster;
pub mod cni;
pub mod credentials;
pub mod fixed;
pub mod maintenance;
pub mod pools;
pub mod trusted_access;
pub mod versions;

/// The managed cluster type as requests spell it.
pub(crate) const CLUSTER_TYPE: &str = "Microsoft.ContainerService/managedClusters";
