//! How each resource provider family answers, as recorded from real Azure (`shared/azure-recordings`,
//! file and interaction cited) or, where no recording shows it, as the spec declares it (marked
//! "spec") or as a guess (marked "guess", listed in docs/emulator-fidelity.md). A resource type names
//! its family's profile, or the family's profile with the fields it answers differently.
//!
//! What a profile decides: the status code and long-running-operation headers of a create, an
//! update and a delete; the provisioning state a running write shows; the shape and place of the
//! operation's status document; the error envelope; and which throttling budget a request draws on.

use serde::{Deserialize, Serialize};

/// How a write is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lro {
    /// The final answer at once: no operation (Traffic Manager, resource groups, role assignments).
    Sync,
    /// An operation announced by `Azure-AsyncOperation` only.
    AsyncOperation,
    /// An operation announced by both `Azure-AsyncOperation` and `Location`.
    AsyncOperationAndLocation,
    /// An operation announced by `Location` only: with an empty body (a storage account's create, a
    /// resource group's delete), or with the resource itself, `Location` naming the resource (a Log
    /// Analytics workspace's create: the client reads the resource until its state is terminal).
    Location,
}

/// What the body of an accepted write shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The resource with its running provisioning state.
    Running,
    /// The resource as it will be once the operation ends, `Succeeded` already: a Front Door
    /// update's 202 reads so while its operation is still `InProgress` (afd-endpoint-update #0-#2).
    Final,
    /// Nothing.
    Empty,
}

/// One kind of write (create, update or delete) as the family answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub lro: Lro,
    pub shown: Shown,
}

impl Answer {
    pub const fn new(status: u16, lro: Lro, shown: Shown) -> Self {
        Self { status, lro, shown }
    }
}

/// The shape of an operation's status document (the `Azure-AsyncOperation` URL's answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Doc {
    /// `{"status"}` (and `error` when it failed): the Network RP (vnet-peering #2, #45, #48).
    #[default]
    Status,
    /// `{"name","status","startTime"}`, `endTime` once it ended: AKS (aks-create #1, #7).
    Named,
    /// `{"status","error":{"code":"None","message":null}}` while it runs: Cdn (afd-profile #2).
    ErrorNone,
    /// `{"status":"Creating"}` while it runs, ACR's own non-terminal value, and a fresh
    /// `Azure-AsyncOperation` header on every poll answer (acr-replication #4, #5).
    Creating,
    /// `{"id","name","status"}`, `id` the document's own path: `Microsoft.KubernetesConfiguration`'s
    /// `OperationStatusResult` (extensions.json 2023-05-01; its GetExtensionAsyncOperationStatus
    /// example).
    Identified,
}

/// Where an operation's status document lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Site {
    /// `/subscriptions/{s}/providers/{ns}/locations/{loc}/operations/{id}` (status) and
    /// `.../operationResults/{id}` (result): Network (vnet-peering #1, #57), AKS (aks-create #0).
    #[default]
    Location,
    /// `/subscriptions/{s}/resourcegroups/{rg}/providers/Microsoft.Cdn/operationresults/{id}`, the
    /// result below it: Cdn (afd-profile #1, afd-endpoint-update #0).
    ResourceGroup,
    /// `{resource}/operationStatuses/{type}-{id}`: ACR (acr-replication #3).
    UnderResource,
    /// `/subscriptions/{s}/providers/Microsoft.Storage/locations/{loc}/asyncoperations/{id}?monitor=true`
    /// (storage-create #1).
    StorageMonitor,
    /// `/subscriptions/{s}/operationresults/{id}` (resource-group #0).
    Subscription,
    /// `/subscriptions/{s}/providers/{ns}/locations/{loc}/operationStatus/{id}` (status) and
    /// `.../operationResults/{id}` (result): Microsoft.DataProtection (dataprotection.json 2024-04-01,
    /// `OperationStatus_Get`, `OperationResult_Get`).
    LocationStatus,
    /// The resource itself, at the request's api-version: no status document, the resource's own
    /// `provisioningState` tells (Log Analytics workspaces: azure-cli monitor recording
    /// test_monitor_log_analytics_workspace_table_total_retention_upper_fix #1).
    Resource,
    /// `{resource}/operations/{id}` at the request's api-version, the result the resource itself:
    /// `Microsoft.KubernetesConfiguration` (Azure/azure-cli-extensions k8s-extension recording
    /// test_k8s_extension, the create: `azure-asyncoperation …/extensions/dapr/operations/{id}`,
    /// `location` the extension).
    ResourceOperations,
}

/// How the provider's own errors travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{"error":{"code","message","target"?,"details"?}}`, ARM's.
    Arm,
    /// `{"code","message","subcode","target","details"}`: AKS's own (Azure/AKS-Construction #701).
    Aks,
    /// `{"code","message"}`: the Front Door WAF provider's spec (webapplicationfirewall.json).
    Bare,
}

/// Which throttling budget a request of the type draws on, and reports in its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Writes `x-ms-ratelimit-remaining-subscription-writes` (and `-global-writes`), deletes
    /// `-deletes`; reads report nothing (no read header in any recording).
    Subscription,
    /// `x-ms-ratelimit-remaining-subscription-resource-requests` for reads and writes alike:
    /// Traffic Manager profiles (traffic-manager #1-#6) and Cdn (afd-profile #1, afd-endpoint-update #3).
    ResourceRequests,
}

/// How a resource provider family answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Canonical namespace, as operation URLs spell it.
    pub namespace: &'static str,
    /// The api-version operation URLs carry.
    pub operation_api_version: &'static str,
    pub create: Answer,
    pub update: Answer,
    /// A PATCH (merge semantics: `tags` and `properties` merged into the resource).
    pub patch: Answer,
    pub delete: Answer,
    /// The answer to a DELETE of what does not exist.
    pub delete_missing: u16,
    /// The provisioning state a create shows while it runs (an update shows `Updating`).
    pub creating: &'static str,
    pub doc: Doc,
    pub site: Site,
    pub envelope: Envelope,
    pub budget: Budget,
    /// Whether answers carry an `ETag` header equal to the body's `etag` (Network: vnet-peering #3).
    pub etag_header: bool,
}

use crate::contract::versions as api;
use Lro::{AsyncOperation, AsyncOperationAndLocation, Location, Sync};
use Shown::{Empty, Final, Running};

/// Virtual networks, subnets, peerings, public IPs: create 201 `Updating` (there is no `Creating`
/// in the Network enum), update 200 `Updating`, both with `Azure-AsyncOperation` only (vnet-peering
/// #1, #44, #54); delete 202, empty body, both headers (#57); a missing resource's delete 204 (spec).
pub const NETWORK: Profile = Profile {
    namespace: "Microsoft.Network",
    operation_api_version: api::API_NETWORK,
    create: Answer::new(201, AsyncOperation, Running),
    update: Answer::new(200, AsyncOperation, Running),
    patch: Answer::new(200, Sync, Running),
    delete: Answer::new(202, AsyncOperationAndLocation, Empty),
    delete_missing: 204,
    creating: "Updating",
    doc: Doc::Status,
    site: Site::Location,
    envelope: Envelope::Arm,
    budget: Budget::Subscription,
    etag_header: true,
};

/// Private DNS zones and their virtual network links: long-running writes (spec: PUT 200/201/202,
/// DELETE 200/202/204), answered as the Network RP answers its own here (guess: no recording shows
/// these; Azure's status documents live at `privateDnsOperationStatuses`, docs/emulator-fidelity.md).
pub const PRIVATE_DNS: Profile = Profile {
    operation_api_version: api::API_PRIVATE_DNS,
    creating: "Creating",
    ..NETWORK
};

/// Record sets: synchronous (spec: PUT 200/201, DELETE 200/204).
pub const PRIVATE_DNS_RECORDS: Profile = Profile {
    create: Answer::new(201, Sync, Running),
    update: Answer::new(200, Sync, Running),
    patch: Answer::new(200, Sync, Running),
    delete: Answer::new(200, Sync, Empty),
    ..PRIVATE_DNS
};

/// The api-version AKS's operation URLs carry, whatever the resource's (aks-create #0, #1).
pub const AKS_OPERATIONS_API: &str = api::AKS_OPERATIONS.pinned;

/// Managed clusters and agent pools: create 201 `Creating` with `Azure-AsyncOperation` (aks-create
/// #0); update 200 `Updating`, delete 202 with an empty body and both headers (azure-cli acs
/// recordings, as the arm-contract notes transcribe them); a missing resource's delete 204 (spec).
pub const AKS: Profile = Profile {
    namespace: "Microsoft.ContainerService",
    operation_api_version: AKS_OPERATIONS_API,
    create: Answer::new(201, AsyncOperation, Running),
    update: Answer::new(200, AsyncOperation, Running),
    patch: Answer::new(200, AsyncOperation, Running),
    delete: Answer::new(202, AsyncOperationAndLocation, Empty),
    delete_missing: 204,
    creating: "Creating",
    doc: Doc::Named,
    site: Site::Location,
    envelope: Envelope::Aks,
    budget: Budget::Subscription,
    etag_header: false,
};

/// Maintenance configurations (`managedClusters/{c}/maintenanceConfigurations/{n}`): every write
/// answered at once, a PUT 200 with the configuration, a DELETE 200 with no body (Azure/azure-cli acs
/// recording test_aks_maintenancewindow); a missing one's delete 204 (spec).
pub const AKS_MAINTENANCE: Profile = Profile {
    create: Answer::new(200, Sync, Running),
    update: Answer::new(200, Sync, Running),
    patch: Answer::new(200, Sync, Running),
    delete: Answer::new(200, Sync, Empty),
    ..AKS
};

/// Registries: a create answers 200 `Succeeded` at once (acr-replication #0); an update the same
/// (guess); a delete 202 with both headers under the resource (spec example: `Location`; guess:
/// `Azure-AsyncOperation` too).
pub const REGISTRY: Profile = Profile {
    namespace: "Microsoft.ContainerRegistry",
    operation_api_version: api::API_REGISTRY,
    create: Answer::new(200, Sync, Running),
    update: Answer::new(200, Sync, Running),
    patch: Answer::new(200, Sync, Running),
    delete: Answer::new(202, AsyncOperationAndLocation, Empty),
    delete_missing: 204,
    creating: "Creating",
    doc: Doc::Creating,
    site: Site::UnderResource,
    envelope: Envelope::Arm,
    budget: Budget::Subscription,
    etag_header: false,
};

/// Geo-replications: create 201 `Creating` with `Azure-AsyncOperation` under the replication
/// (acr-replication #3); update 200 (spec; guess otherwise).
pub const REPLICATION: Profile = Profile {
    create: Answer::new(201, AsyncOperation, Running),
    update: Answer::new(200, AsyncOperation, Running),
    ..REGISTRY
};

/// Storage accounts: create 202, empty body, `Location .../asyncoperations/{id}?monitor=true` and
/// nothing else (storage-create #1); an update that changes something the same (spec: 200 or 202),
/// one that changes nothing 200 with the account; delete synchronous 200, 204 when there was none
/// (spec).
pub const STORAGE: Profile = Profile {
    namespace: "Microsoft.Storage",
    operation_api_version: api::API_STORAGE,
    create: Answer::new(202, Location, Empty),
    update: Answer::new(202, Location, Empty),
    patch: Answer::new(200, Sync, Running),
    delete: Answer::new(200, Sync, Empty),
    delete_missing: 204,
    creating: "Creating",
    doc: Doc::Status,
    site: Site::StorageMonitor,
    envelope: Envelope::Arm,
    budget: Budget::Subscription,
    etag_header: false,
};

/// Blob containers: synchronous 201/200, delete 200, 204 when there was none (spec).
pub const BLOB_CONTAINER: Profile = Profile {
    create: Answer::new(201, Sync, Running),
    update: Answer::new(200, Sync, Running),
    ..STORAGE
};

/// Resource groups: PUT 201 / 200 `Succeeded` at once (resource-group #6, #11); delete 202, empty
/// body, `Location` only, polled 202 then 200 with an empty body (#0-#4); a missing group's delete
/// 404 `ResourceGroupNotFound`.
pub const RESOURCES: Profile = Profile {
    namespace: "Microsoft.Resources",
    operation_api_version: api::API_RESOURCES,
    create: Answer::new(201, Sync, Running),
    update: Answer::new(200, Sync, Running),
    patch: Answer::new(200, Sync, Running),
    delete: Answer::new(202, Location, Empty),
    delete_missing: 404,
    creating: "Succeeded",
    doc: Doc::Status,
    site: Site::Subscription,
    envelope: Envelope::Arm,
    budget: Budget::Subscription,
    etag_header: false,
};

/// Role assignments: PUT 201 at once with the full body, no provisioning state (role-assignment
/// #4); delete 200 with the deleted assignment, 204 when there was none (spec).
pub const AUTHORIZATION: Profile = Profile {
    namespace: "Microsoft.Authorization",
    operation_api_version: api::API_AUTHORIZATION,
    delete: Answer::new(200, Sync, Running),
    delete_missing: 204,
    ..RESOURCES
};

/// Traffic Manager profiles: every operation synchronous; create 201, update 200, delete 200 with an
/// empty body; reads and writes report the resource-requests budget (traffic-manager #1, #4, #16).
pub const TRAFFIC_MANAGER: Profile = Profile {
    namespace: "Microsoft.Network",
    operation_api_version: api::API_TRAFFIC_MANAGER,
    create: Answer::new(201, Sync, Running),
    update: Answer::new(200, Sync, Running),
    patch: Answer::new(200, Sync, Running),
    delete: Answer::new(200, Sync, Empty),
    delete_missing: 204,
    creating: "Succeeded",
    doc: Doc::Status,
    site: Site::Location,
    envelope: Envelope::Arm,
    budget: Budget::ResourceRequests,
    etag_header: false,
};

/// Traffic Manager endpoints: 201 on create AND on update; delete 200 with an empty body; their
/// writes report the writes budget, deletes the deletes budget (traffic-manager #7, #9, #14).
pub const TRAFFIC_MANAGER_ENDPOINT: Profile = Profile {
    update: Answer::new(201, Sync, Running),
    budget: Budget::Subscription,
    ..TRAFFIC_MANAGER
};

/// Front Door Standard/Premium (`Microsoft.Cdn`): a create 201 `Creating` with
/// `Azure-AsyncOperation` at the group's `operationresults` (afd-profile #1); an update 202 with both
/// headers whose body already reads `Succeeded` (afd-endpoint-update #0); delete 202 with both
/// headers (spec: `azure-async-operation`; guess: `Location` too); reads and writes report the
/// resource-requests budget.
pub const CDN: Profile = Profile {
    namespace: "Microsoft.Cdn",
    operation_api_version: api::API_CDN,
    create: Answer::new(201, AsyncOperation, Running),
    update: Answer::new(202, AsyncOperationAndLocation, Final),
    patch: Answer::new(202, AsyncOperationAndLocation, Final),
    delete: Answer::new(202, AsyncOperationAndLocation, Empty),
    delete_missing: 204,
    creating: "Creating",
    doc: Doc::ErrorNone,
    site: Site::ResourceGroup,
    envelope: Envelope::Arm,
    budget: Budget::ResourceRequests,
    etag_header: false,
};

/// Front Door origin groups: synchronous, 201 `Succeeded` on create (azure-cli cdn recordings,
/// test_afd_origin_crud.yaml, as the arm-contract notes transcribe it); 200 on update (guess).
pub const CDN_SYNC: Profile = Profile {
    create: Answer::new(201, Sync, Running),
    update: Answer::new(200, Sync, Running),
    creating: "Succeeded",
    ..CDN
};

/// Front Door WAF policies (`Microsoft.Network/FrontDoorWebApplicationFirewallPolicies`): PUT and
/// DELETE long-running (spec: 200/201/202, final state unset); the operation documents as the Network
/// RP's (guess); errors bare `{"code","message"}` (spec).
pub const FRONT_DOOR_WAF: Profile = Profile {
    namespace: "Microsoft.Network",
    // Its operations are the Network RP's, at the Network api-version.
    operation_api_version: api::API_NETWORK,
    create: Answer::new(201, AsyncOperation, Running),
    update: Answer::new(200, AsyncOperation, Running),
    patch: Answer::new(200, AsyncOperation, Running),
    delete: Answer::new(202, AsyncOperationAndLocation, Empty),
    delete_missing: 204,
    creating: "Creating",
    doc: Doc::Status,
    site: Site::Location,
    envelope: Envelope::Bare,
    budget: Budget::Subscription,
    etag_header: false,
};

/// Log Analytics workspaces (`Microsoft.OperationalInsights`): a create answers 201 with the
/// workspace `Creating` and a `Location` header naming the workspace itself, no
/// `Azure-AsyncOperation`; the workspace reads `Creating` until it is made, then `Succeeded`
/// (azure-cli monitor recordings test_monitor_log_analytics_workspace_table_total_retention_upper_fix
/// #1-#2 at 2023-09-01, test_monitor_log_analytics_workspace_default #1-#2). An update answers 200
/// `Succeeded` at once (test_monitor_log_analytics_workspace_default #4,
/// test_monitor_log_analytics_workspace_public_access #4); PATCH 200 (spec). A delete is synchronous,
/// 200 with an empty body (test_monitor_log_analytics_workspace_recover, the delete); a missing
/// workspace's delete 204 (spec: 200/202/204; guess which).
pub const LOG_ANALYTICS: Profile = Profile {
    namespace: "Microsoft.OperationalInsights",
    operation_api_version: api::API_OPERATIONAL_INSIGHTS,
    create: Answer::new(201, Location, Running),
    update: Answer::new(200, Sync, Running),
    patch: Answer::new(200, Sync, Running),
    delete: Answer::new(200, Sync, Empty),
    delete_missing: 204,
    creating: "Creating",
    doc: Doc::Status,
    site: Site::Resource,
    envelope: Envelope::Arm,
    budget: Budget::Subscription,
    etag_header: false,
};

/// Trusted access role bindings (`managedClusters/{c}/trustedAccessRoleBindings/{b}`): AKS's
/// answers, a create 201 reading `Updating` (the binding's state enum has no `Creating`) with
/// `Azure-AsyncOperation` only, a delete 202 with an empty body and both headers
/// (Azure/azure-powershell Az.Aks recordings New-AzAksTrustedAccessRoleBinding,
/// Remove-AzAksTrustedAccessRoleBinding, 2025-08-01); an update 200 `Updating` (guess: AKS's).
pub const AKS_TRUSTED_ACCESS: Profile = Profile {
    creating: "Updating",
    ..AKS
};

/// Cluster extensions and Flux configurations (`Microsoft.KubernetesConfiguration`, extension
/// resources of a cluster): a create 201 `Creating` with `Azure-AsyncOperation` at
/// `{resource}/operations/{id}` and a `Location` naming the resource (recorded: Azure/azure-cli-extensions
/// k8s-extension test_k8s_extension); an update 200 `Updating` and a PATCH 202 `Updating` with
/// `Azure-AsyncOperation` (spec: PUT 200/201, PATCH 202/200, long-running, final state via
/// azure-async-operation; headers guess); a delete 202 with `Azure-AsyncOperation` only (spec's
/// DeleteExtension example, 2024-11-01), 204 when there is none (spec); errors in ARM's envelope.
pub const KUBERNETES_CONFIGURATION: Profile = Profile {
    namespace: "Microsoft.KubernetesConfiguration",
    operation_api_version: api::API_KUBERNETES_CONFIGURATION,
    create: Answer::new(201, AsyncOperationAndLocation, Running),
    update: Answer::new(200, AsyncOperation, Running),
    patch: Answer::new(202, AsyncOperation, Running),
    delete: Answer::new(202, AsyncOperation, Empty),
    delete_missing: 204,
    creating: "Creating",
    doc: Doc::Identified,
    site: Site::ResourceOperations,
    envelope: Envelope::Arm,
    budget: Budget::Subscription,
    etag_header: false,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_answers_are_the_profiles() {
        // vnet-peering #1 / #54 / #57, aks-create #0, acr-replication #0 / #3, storage-create #1,
        // resource-group #0 / #6, traffic-manager #1 / #9 / #16, afd-profile #1, afd-endpoint-update #0.
        assert_eq!((NETWORK.create.status, NETWORK.creating), (201, "Updating"));
        assert_eq!(NETWORK.update.status, 200);
        assert_eq!(NETWORK.delete.lro, AsyncOperationAndLocation);
        assert_eq!((AKS.create.status, AKS.creating), (201, "Creating"));
        assert_eq!((REGISTRY.create.status, REGISTRY.create.lro), (200, Sync));
        assert_eq!(REPLICATION.create.lro, AsyncOperation);
        assert_eq!(
            (
                STORAGE.create.status,
                STORAGE.create.lro,
                STORAGE.create.shown
            ),
            (202, Location, Empty)
        );
        assert_eq!(RESOURCES.delete.lro, Location);
        assert_eq!(RESOURCES.create.lro, Sync);
        assert_eq!(TRAFFIC_MANAGER_ENDPOINT.update.status, 201);
        assert_eq!(TRAFFIC_MANAGER.delete.shown, Empty);
        assert_eq!(TRAFFIC_MANAGER.budget, Budget::ResourceRequests);
        assert_eq!(TRAFFIC_MANAGER_ENDPOINT.budget, Budget::Subscription);
        assert_eq!((CDN.create.status, CDN.site), (201, Site::ResourceGroup));
        assert_eq!((CDN.update.status, CDN.update.shown), (202, Final));
        assert_eq!(
            (LOG_ANALYTICS.create.status, LOG_ANALYTICS.create.lro),
            (201, Location)
        );
        assert_eq!(LOG_ANALYTICS.update.lro, Sync);
    }
}
