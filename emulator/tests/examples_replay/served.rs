//! What the replay covers: every operation path the emulator serves, and the examples it answers
//! otherwise, with why.

/// (spec file under `specification/`, path template as the spec writes it, methods served).
pub const SERVED: &[(&str, &str, &[&str])] = &[
    (
        armspec::files::RESOURCES,
        "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::VIRTUAL_NETWORK,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::VIRTUAL_NETWORK,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::PUBLIC_IP,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/publicIPAddresses/{publicIpAddressName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::MANAGED_CLUSTERS,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::MANAGED_CLUSTERS,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::MANAGED_CLUSTERS,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/maintenanceConfigurations/{configName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::MANAGED_CLUSTERS,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/maintenanceConfigurations",
        &["get"],
    ),
    (
        armspec::files::MANAGED_CLUSTERS,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/listClusterUserCredential",
        &["post"],
    ),
    (
        armspec::files::MANAGED_CLUSTERS,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/listClusterAdminCredential",
        &["post"],
    ),
    (
        armspec::files::TRAFFIC_MANAGER,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/trafficmanagerprofiles/{profileName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::CONTAINER_REGISTRY,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/{registryName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::CONTAINER_REGISTRY,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/{registryName}/replications/{replicationName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::STORAGE,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::CDN_PROFILES,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}/originGroups/{originGroupName}/origins/{originName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}/afdEndpoints/{endpointName}/routes/{routeName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}/securityPolicies/{securityPolicyName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR_WAF,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/FrontDoorWebApplicationFirewallPolicies/{policyName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::VIRTUAL_NETWORK,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::TRAFFIC_MANAGER,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/trafficmanagerprofiles/{profileName}/{endpointType}/{endpointName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}/ruleSets/{ruleSetName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}/ruleSets/{ruleSetName}/rules/{ruleName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::FRONT_DOOR,
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/{profileName}/customDomains/{customDomainName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::ROLE_ASSIGNMENTS,
        "/{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
        &["put", "get", "delete"],
    ),
    (
        armspec::files::SUBSCRIPTIONS,
        "/subscriptions/{subscriptionId}/locations",
        &["get"],
    ),
    (
        armspec::files::RESOURCES,
        "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}",
        &["get"],
    ),
    (
        armspec::files::RESOURCES,
        "/subscriptions/{subscriptionId}/resourcegroups",
        &["get"],
    ),
    (
        armspec::files::RESOURCES,
        "/subscriptions/{subscriptionId}/resources",
        &["get"],
    ),
    (
        armspec::files::CONTAINER_REGISTRY,
        "/subscriptions/{subscriptionId}/providers/Microsoft.ContainerRegistry/checkNameAvailability",
        &["post"],
    ),
];

/// Examples the emulator answers otherwise, each with why.
pub const OUT_OF_SCOPE: &[(&str, &str)] = &[
    (
        "virtualNetwork.json put Create virtual network with service endpoints and service endpoint policy",
        "eastus2euap is a canary region, open only to enrolled subscriptions; the emulator serves the public regions",
    ),
    (
        "webapplicationfirewall.json put Creates specific policy",
        "its location is WestUs; Front Door WAF policies live in Global, as real deployments show (shared/notes/arm-contract.md §7, DISAGREE)",
    ),
    (
        "resources.json get Get provider.",
        "it reads the fictitious namespace Microsoft.TestRP1, which ARM answers with 404 too",
    ),
];
