//! The built-in Azure roles a BC/DR topology and the clients that build one assign or look up. A
//! built-in role has the same GUID in every tenant (learn.microsoft.com/azure/role-based-access-control/
//! built-in-roles); the description and control-plane actions are that page's.

/// One built-in role definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltInRole {
    /// The role definition's GUID (its name in ARM).
    pub id: &'static str,
    /// `roleName`.
    pub name: &'static str,
    pub description: &'static str,
    /// The control-plane `actions` of its permissions.
    pub actions: &'static [&'static str],
}

pub const OWNER: BuiltInRole = BuiltInRole {
    id: "8e3af657-a8ff-443c-a75c-2fe8c4bcd635",
    name: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    actions: &["*"],
};

pub const CONTRIBUTOR: BuiltInRole = BuiltInRole {
    id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    name: "Contributor",
    description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
    actions: &["*"],
};

pub const READER: BuiltInRole = BuiltInRole {
    id: "acdd72a7-3374-48ba-a1d3-f7e3e5a2e9b4",
    name: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    actions: &["*/read"],
};

/// Lets a cluster's identity use a public IP in another resource group.
pub const NETWORK_CONTRIBUTOR: BuiltInRole = BuiltInRole {
    id: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    name: "Network Contributor",
    description: "Lets you manage networks, but not access to them.",
    actions: &["Microsoft.Authorization/*/read", "Microsoft.Network/*"],
};

/// Lets a kubelet identity pull from a registry.
pub const ACR_PULL: BuiltInRole = BuiltInRole {
    id: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    name: "AcrPull",
    description: "acr pull",
    actions: &["Microsoft.ContainerRegistry/registries/pull/read"],
};

pub const MANAGED_IDENTITY_OPERATOR: BuiltInRole = BuiltInRole {
    id: "f1a07417-d97a-45cb-824c-7a7467783830",
    name: "Managed Identity Operator",
    description: "Read and Assign User Assigned Identity",
    actions: &[
        "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
        "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
    ],
};

pub const AKS_CLUSTER_USER: BuiltInRole = BuiltInRole {
    id: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    name: "Azure Kubernetes Service Cluster User Role",
    description: "List cluster user credential action.",
    actions: &["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"],
};

/// Every Kubernetes action on a cluster, through Entra ID: with Azure RBAC for Kubernetes
/// authorization on, Entra ID principals are authorized by Azure roles only.
pub const AKS_RBAC_CLUSTER_ADMIN: BuiltInRole = BuiltInRole {
    id: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    name: "Azure Kubernetes Service RBAC Cluster Admin",
    description: "Lets you manage all resources in the cluster.",
    actions: &["Microsoft.ContainerService/managedClusters/listClusterUserCredential/action"],
};

pub const STORAGE_BLOB_DATA_CONTRIBUTOR: BuiltInRole = BuiltInRole {
    id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    name: "Storage Blob Data Contributor",
    description: "Allows for read, write and delete access to Azure Storage blob containers and data",
    actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
};

pub const PRIVATE_DNS_ZONE_CONTRIBUTOR: BuiltInRole = BuiltInRole {
    id: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    name: "Private DNS Zone Contributor",
    description: "Lets you manage private DNS zone resources, but not the virtual networks they are linked to.",
    actions: &["Microsoft.Network/privateDnsZones/*"],
};

pub const STORAGE_ACCOUNT_CONTRIBUTOR: BuiltInRole = BuiltInRole {
    id: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    name: "Storage Account Contributor",
    description: "Permits management of storage accounts. Provides access to the account key, which can be used to access data via Shared Key authorization.",
    actions: &["Microsoft.Storage/storageAccounts/*"],
};

pub const STORAGE_BLOB_DATA_OWNER: BuiltInRole = BuiltInRole {
    id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    name: "Storage Blob Data Owner",
    description: "Provides full access to Azure Storage blob containers and data, including assigning POSIX access control.",
    actions: &["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
};

/// Every role above.
pub const BUILT_IN: &[BuiltInRole] = &[
    OWNER,
    CONTRIBUTOR,
    READER,
    NETWORK_CONTRIBUTOR,
    ACR_PULL,
    MANAGED_IDENTITY_OPERATOR,
    AKS_CLUSTER_USER,
    AKS_RBAC_CLUSTER_ADMIN,
    STORAGE_BLOB_DATA_CONTRIBUTOR,
    PRIVATE_DNS_ZONE_CONTRIBUTOR,
    STORAGE_ACCOUNT_CONTRIBUTOR,
    STORAGE_BLOB_DATA_OWNER,
];
