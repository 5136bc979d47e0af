"""The Azure SDK for Python's management libraries against arm-emulator, with their own default
api-versions and their own pollers: create, read, update (PUT and PATCH), list and delete every
resource type of a BC/DR topology, signed in through azure-identity with the emulator as its
authority. Each step prints `ok <step>`; the first that fails prints `FAILED <step>: <error>` and the
script exits 1. Environment: ARM_ENDPOINT, ARM_SUBSCRIPTION_ID, ARM_TENANT_ID, and
REQUESTS_CA_BUNDLE (the emulator's certificate)."""

import os
import sys
import traceback
from collections.abc import Mapping

from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.cdn import CdnManagementClient
from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.frontdoor import FrontDoorManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.mgmt.trafficmanager import TrafficManagerManagementClient

E = os.environ["ARM_ENDPOINT"].rstrip("/")
SUB = os.environ["ARM_SUBSCRIPTION_ID"]
TENANT = os.environ["ARM_TENANT_ID"]
RG = "pysdk"

credential = ClientSecretCredential(
    TENANT, "python-sdk", "secret", authority=E, disable_instance_discovery=True
)
# The emulator runs Azure's times scaled down and, as Azure, sends no Retry-After: poll quickly.
common = dict(base_url=E, polling_interval=0.05)
resources = ResourceManagementClient(credential, SUB, **common)
network = NetworkManagementClient(credential, SUB, **common)
aks = ContainerServiceClient(credential, SUB, **common)
acr = ContainerRegistryManagementClient(credential, SUB, **common)
storage = StorageManagementClient(credential, SUB, **common)
tm = TrafficManagerManagementClient(credential, SUB, **common)
cdn = CdnManagementClient(credential, SUB, **common)
frontdoor = FrontDoorManagementClient(credential, SUB, **common)
authorization = AuthorizationManagementClient(credential, SUB, **common)


def wire(model):
    """A result as ARM's JSON: the SDKs' typespec models are mappings of it, msrest models serialize
    to it. Bodies are sent in ARM's JSON too, which both generations take."""
    if hasattr(model, "serialize"):
        return model.serialize(keep_readonly=True)
    if isinstance(model, Mapping):
        return {k: wire(v) for k, v in model.items()}
    if isinstance(model, list):
        return [wire(v) for v in model]
    return model


def props(model):
    return wire(model).get("properties", {})


def step(name, run):
    try:
        run()
    except Exception as error:  # the step's name and the client's own error, for the test to show
        print(f"FAILED {name}: {error!r}")
        traceback.print_exc()
        sys.exit(1)
    print(f"ok {name}", flush=True)


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def groups():
    resources.resource_groups.create_or_update(RG, {"location": "eastus"})
    updated = wire(resources.resource_groups.update(RG, {"tags": {"team": "dr"}}))
    expect(updated["tags"] == {"team": "dr"}, f"tags {updated}")
    expect(any(wire(g)["name"] == RG for g in resources.resource_groups.list()), "group listed")


def networks():
    for name, cidr in [("vnet-a", "10.1.0.0/16"), ("vnet-b", "10.2.0.0/16")]:
        vnet = network.virtual_networks.begin_create_or_update(
            RG,
            name,
            {
                "location": "eastus",
                "properties": {
                    "addressSpace": {"addressPrefixes": [cidr]},
                    "subnets": [{"name": "aks", "properties": {"addressPrefix": cidr.replace("/16", "/17")}}],
                },
            },
        ).result()
        expect(props(vnet)["provisioningState"] == "Succeeded", f"{wire(vnet)}")
    tagged = wire(network.virtual_networks.update_tags(RG, "vnet-a", {"tags": {"role": "primary"}}))
    expect(tagged["tags"] == {"role": "primary"}, f"tags {tagged}")
    subnets = [wire(s)["name"] for s in network.subnets.list(RG, "vnet-a")]
    expect(subnets == ["aks"], f"subnets {subnets}")
    for local, remote in [("vnet-a", "vnet-b"), ("vnet-b", "vnet-a")]:
        network.virtual_network_peerings.begin_create_or_update(
            RG,
            local,
            f"{local}-to-{remote}",
            {
                "properties": {
                    "remoteVirtualNetwork": {
                        "id": f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/{remote}"
                    },
                    "allowVirtualNetworkAccess": True,
                }
            },
        ).result()
    peerings = [props(p) for p in network.virtual_network_peerings.list(RG, "vnet-a")]
    expect([p["peeringState"] for p in peerings] == ["Connected"], f"peerings {peerings}")
    ip = network.public_ip_addresses.begin_create_or_update(
        RG,
        "ingress",
        {
            "location": "eastus",
            "sku": {"name": "Standard"},
            "properties": {
                "publicIPAllocationMethod": "Static",
                "dnsSettings": {"domainNameLabel": "pysdk-ingress"},
            },
        },
    ).result()
    expect(props(ip).get("ipAddress"), "the address, once its operation ended")
    expect(
        any(wire(v)["name"] == "vnet-b" for v in network.virtual_networks.list_all()),
        "listed across the subscription",
    )


def clusters():
    vnet = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/vnet-a"
    pool = lambda mode, count: {
        "properties": {"mode": mode, "count": count, "vmSize": "Standard_D4ds_v5", "vnetSubnetID": f"{vnet}/subnets/aks"}
    }
    cluster = aks.managed_clusters.begin_create_or_update(
        RG,
        "aks-a",
        {
            "location": "eastus",
            "identity": {"type": "SystemAssigned"},
            "properties": {
                "dnsPrefix": "aks-a",
                "agentPoolProfiles": [dict(name="system", **pool("System", 1)["properties"])],
                "networkProfile": {"networkPlugin": "azure", "serviceCidr": "172.16.0.0/16", "dnsServiceIP": "172.16.0.10"},
            },
        },
    ).result()
    expect(props(cluster)["provisioningState"] == "Succeeded", f"{props(cluster)}")
    pools = [wire(p)["name"] for p in aks.agent_pools.list(RG, "aks-a")]
    expect(pools == ["system"], f"pools {pools}")
    scaled = aks.agent_pools.begin_create_or_update(RG, "aks-a", "system", pool("System", 2)).result()
    expect(props(scaled)["count"] == 2, f"{props(scaled)}")
    user = aks.agent_pools.begin_create_or_update(RG, "aks-a", "apps", pool("User", 1)).result()
    expect(props(user)["provisioningState"] == "Succeeded", f"{props(user)}")
    tagged = wire(aks.managed_clusters.begin_update_tags(RG, "aks-a", {"tags": {"tier": "hot"}}).result())
    expect(tagged["tags"] == {"tier": "hot"}, f"tags {tagged.get('tags')}")
    creds = wire(aks.managed_clusters.list_cluster_user_credentials(RG, "aks-a"))
    expect(creds["kubeconfigs"][0]["value"], "a kubeconfig")
    expect(any(wire(c)["name"] == "aks-a" for c in aks.managed_clusters.list()), "listed")
    aks.agent_pools.begin_delete(RG, "aks-a", "apps").result()


def registries():
    free = wire(acr.registries.check_name_availability({"name": "pysdkacr01", "type": "Microsoft.ContainerRegistry/registries"}))
    expect(free["nameAvailable"], f"name {free}")
    registry = acr.registries.begin_create(RG, "pysdkacr01", {"location": "eastus", "sku": {"name": "Premium"}}).result()
    expect(props(registry)["loginServer"] == "pysdkacr01.azurecr.io", f"{props(registry)}")
    acr.replications.begin_create(RG, "pysdkacr01", "westus", {"location": "westus"}).result()
    replicas = [wire(r)["name"] for r in acr.replications.list(RG, "pysdkacr01")]
    expect(replicas == ["westus"], f"replicas {replicas}")
    updated = wire(acr.registries.begin_update(RG, "pysdkacr01", {"tags": {"team": "dr"}}).result())
    expect(updated["tags"] == {"team": "dr"}, f"tags {updated.get('tags')}")


def accounts():
    free = wire(storage.storage_accounts.check_name_availability({"name": "pysdkbackup01", "type": "Microsoft.Storage/storageAccounts"}))
    expect(free["nameAvailable"], f"name {free}")
    account = storage.storage_accounts.begin_create(
        RG, "pysdkbackup01", {"location": "eastus", "sku": {"name": "Standard_RAGRS"}, "kind": "StorageV2"}
    ).result()
    expect(props(account)["secondaryLocation"] == "westus", f"{props(account)}")
    updated = wire(storage.storage_accounts.update(RG, "pysdkbackup01", {"tags": {"team": "dr"}}))
    expect(updated["tags"] == {"team": "dr"}, f"tags {updated.get('tags')}")
    storage.blob_containers.create(RG, "pysdkbackup01", "velero", {})
    containers = [wire(c)["name"] for c in storage.blob_containers.list(RG, "pysdkbackup01")]
    expect(containers == ["velero"], f"containers {containers}")


def traffic_manager():
    free = wire(
        tm.profiles.check_traffic_manager_name_availability_v2({"name": "pysdk-tm", "type": "Microsoft.Network/trafficManagerProfiles"})
    )
    expect(free["nameAvailable"], f"name {free}")
    tm.profiles.create_or_update(
        RG,
        "tm",
        {
            "location": "global",
            "properties": {
                "trafficRoutingMethod": "Priority",
                "dnsConfig": {"relativeName": "pysdk-tm", "ttl": 30},
                "monitorConfig": {"protocol": "HTTPS", "port": 443, "path": "/healthz"},
            },
        },
    )
    ip = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/publicIPAddresses/ingress"
    tm.endpoints.create_or_update(RG, "tm", "AzureEndpoints", "eastus", {"properties": {"targetResourceId": ip, "priority": 1}})
    disabled = props(tm.endpoints.update(RG, "tm", "AzureEndpoints", "eastus", {"properties": {"endpointStatus": "Disabled"}}))
    expect(disabled["endpointStatus"] == "Disabled", f"{disabled}")
    monitor = props(tm.profiles.get(RG, "tm"))["monitorConfig"]
    expect(monitor["profileMonitorStatus"] == "Inactive", f"{monitor}")
    expect(any(wire(p)["name"] == "tm" for p in tm.profiles.list_by_resource_group(RG)), "listed")


def front_door():
    cdn.profiles.begin_create(RG, "afd", {"location": "global", "sku": {"name": "Premium_AzureFrontDoor"}}).result()
    cdn.afd_endpoints.begin_create(RG, "afd", "pysdk-web", {"location": "global"}).result()
    cdn.afd_origin_groups.begin_create(
        RG,
        "afd",
        "regions",
        {
            "properties": {
                "loadBalancingSettings": {"sampleSize": 4, "successfulSamplesRequired": 3},
                "healthProbeSettings": {"probePath": "/healthz", "probeProtocol": "Https", "probeIntervalInSeconds": 30},
            }
        },
    ).result()
    cdn.afd_origins.begin_create(
        RG, "afd", "regions", "eastus", {"properties": {"hostName": "pysdk-ingress.eastus.cloudapp.azure.com", "priority": 1}}
    ).result()
    origin = props(cdn.afd_origins.begin_update(RG, "afd", "regions", "eastus", {"properties": {"enabledState": "Disabled"}}).result())
    expect(origin["enabledState"] == "Disabled", f"{origin}")
    origins = [wire(o)["name"] for o in cdn.afd_origins.list_by_origin_group(RG, "afd", "regions")]
    expect(origins == ["eastus"], f"origins {origins}")
    policy = frontdoor.policies.begin_create_or_update(
        RG,
        "pysdkwaf",
        {
            "location": "Global",
            "sku": {"name": "Premium_AzureFrontDoor"},
            "properties": {"policySettings": {"enabledState": "Enabled", "mode": "Prevention"}},
        },
    ).result()
    expect(props(policy)["provisioningState"] == "Succeeded", f"{props(policy)}")


def roles():
    principal = wire(aks.managed_clusters.get(RG, "aks-a"))["identity"]["principalId"]
    scope = f"/subscriptions/{SUB}/resourceGroups/{RG}"
    name = "4b1f0c3e-8f5a-4a84-9d1e-1d2f2e6d9a01"
    assignment = props(
        authorization.role_assignments.create(
            scope,
            name,
            {
                "properties": {
                    "roleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7",
                    "principalId": principal,
                    "principalType": "ServicePrincipal",
                }
            },
        )
    )
    expect(assignment["principalId"] == principal, f"{assignment}")
    authorization.role_assignments.delete(scope, name)


def listed_and_deleted():
    every = {wire(r)["type"].lower() for r in resources.resources.list_by_resource_group(RG)}
    for kind in ["microsoft.network/virtualnetworks", "microsoft.containerservice/managedclusters", "microsoft.storage/storageaccounts"]:
        expect(kind in every, f"{kind} in {sorted(every)}")
    only = [wire(r)["name"] for r in resources.resources.list(filter="resourceType eq 'Microsoft.ContainerRegistry/registries'")]
    expect(only == ["pysdkacr01"], f"{only}")
    cdn.profiles.begin_delete(RG, "afd").result()
    tm.profiles.delete(RG, "tm")
    aks.managed_clusters.begin_delete(RG, "aks-a").result()
    network.virtual_network_peerings.begin_delete(RG, "vnet-a", "vnet-a-to-vnet-b").result()
    storage.storage_accounts.delete(RG, "pysdkbackup01")
    acr.registries.begin_delete(RG, "pysdkacr01").result()
    resources.resource_groups.begin_delete(RG).result()
    expect(not resources.resource_groups.check_existence(RG), "the group is gone")


for name, run in [
    ("resource groups", groups),
    ("networks", networks),
    ("clusters", clusters),
    ("registries", registries),
    ("storage accounts", accounts),
    ("traffic manager", traffic_manager),
    ("front door", front_door),
    ("role assignments", roles),
    ("lists and deletes", listed_and_deleted),
]:
    step(name, run)
print("all ok")
