"""The Azure CLI against arm-emulator: register the emulator as a cloud, sign in as a service
principal with the emulator as the authority, then create, show, update, list and delete every
resource type of a BC/DR topology with the CLI's own commands, api-versions and pollers. Each command
prints `ok <command>`; the first that fails prints `FAILED <command>` with the CLI's error, and the
script exits 1.

Environment: ARM_ENDPOINT, ARM_TENANT_ID, REQUESTS_CA_BUNDLE (the emulator's certificate) and
AZURE_CONFIG_DIR (a fresh directory, so the user's own CLI profile is never touched).

The commands run in one process through `get_default_cli().invoke`, as the CLI's own test framework
runs them, and as that framework does in playback, `time.sleep` is capped: the CLI polls every 30 s
when ARM sends no Retry-After (ARM sends none on these operations), and the emulator runs Azure's
times scaled down. The requests, their order and their number are the CLI's own.
"""

import io
import json
import os
import sys
import time

_sleep = time.sleep
time.sleep = lambda seconds: _sleep(min(seconds, 0.05))

from azure.cli.core import get_default_cli  # noqa: E402  (after the sleep patch, as the CLI's tests)

E = os.environ["ARM_ENDPOINT"].rstrip("/") + "/"
TENANT = os.environ["ARM_TENANT_ID"]
RG = "azcli"


def az(*args, expect_json=True):
    """Run one CLI command in-process; its JSON output, or exit 1 naming the command."""
    out = io.StringIO()
    code = get_default_cli().invoke(list(args), out_file=out)
    line = " ".join(args)
    if code != 0:
        print(f"FAILED az {line} (exit {code})", flush=True)
        sys.exit(1)
    print(f"ok az {line}", flush=True)
    text = out.getvalue().strip()
    return json.loads(text) if expect_json and text else None


def check(condition, what):
    if not condition:
        print(f"FAILED check: {what}", flush=True)
        sys.exit(1)


# Sign in: the emulator is the cloud's Resource Manager and its authority.
az("cloud", "register", "-n", "ArmEmulator", "--endpoint-resource-manager", E,
   "--endpoint-active-directory", E, "-o", "none", expect_json=False)
az("cloud", "set", "-n", "ArmEmulator", "-o", "none", expect_json=False)
az("config", "set", "core.instance_discovery=false", "-o", "none", expect_json=False)
az("login", "--service-principal", "-u", "azure-cli", "-p", "secret", "--tenant", TENANT,
   "-o", "none", expect_json=False)
account = az("account", "show")
check(account["tenantId"] == TENANT, "the signed-in tenant")

# Resource group.
az("group", "create", "-n", RG, "-l", "eastus", "-o", "json")
groups = az("group", "list", "-o", "json")
check(any(g["name"] == RG for g in groups), "group list holds the group")

# Network: two VNets, global peering both ways, a static public IP.
for name, region, cidr in (("vnet-east", "eastus", "10.1.0.0/16"),
                           ("vnet-west", "westus2", "10.2.0.0/16")):
    az("network", "vnet", "create", "-g", RG, "-n", name, "-l", region, "--address-prefixes", cidr,
       "--subnet-name", "aks", "--subnet-prefixes", cidr.replace("0.0/16", "0.0/20"), "-o", "json")
az("network", "vnet", "subnet", "create", "-g", RG, "--vnet-name", "vnet-east", "-n", "spare",
   "--address-prefixes", "10.1.64.0/24", "-o", "json")
for local, remote in (("vnet-east", "vnet-west"), ("vnet-west", "vnet-east")):
    az("network", "vnet", "peering", "create", "-g", RG, "-n", f"{local}-to-{remote}",
       "--vnet-name", local, "--remote-vnet", remote, "--allow-vnet-access", "-o", "json")
peering = az("network", "vnet", "peering", "show", "-g", RG, "--vnet-name", "vnet-east",
             "-n", "vnet-east-to-vnet-west", "-o", "json")
check(peering["peeringState"] == "Connected", "peering connected once both sides exist")
ip = az("network", "public-ip", "create", "-g", RG, "-n", "ingress-east", "-l", "eastus",
        "--sku", "Standard", "--allocation-method", "Static", "-o", "json")
check(ip["publicIp"]["ipAddress"], "the static IP has an address")
az("network", "public-ip", "update", "-g", RG, "-n", "ingress-east", "--dns-name",
   "bcdr-azcli-east", "-o", "json")
az("network", "vnet", "list", "-g", RG, "-o", "json")

# AKS: a cluster in the VNet's subnet, a second pool, an update, credentials.
subnet = az("network", "vnet", "subnet", "show", "-g", RG, "--vnet-name", "vnet-east", "-n", "aks",
            "-o", "json")
az("aks", "create", "-g", RG, "-n", "aks-east", "-l", "eastus", "--node-count", "1",
   "--vnet-subnet-id", subnet["id"], "--network-plugin", "azure", "--service-cidr",
   "10.100.0.0/16", "--dns-service-ip", "10.100.0.10", "--generate-ssh-keys", "-o", "json")
az("aks", "nodepool", "add", "-g", RG, "--cluster-name", "aks-east", "-n", "user",
   "--node-count", "1", "-o", "json")
pools = az("aks", "nodepool", "list", "-g", RG, "--cluster-name", "aks-east", "-o", "json")
check(len(pools) == 2, "two node pools")
az("aks", "update", "-g", RG, "-n", "aks-east", "--tags", "tier=hot", "-o", "json")
az("aks", "get-credentials", "-g", RG, "-n", "aks-east", "--file",
   os.path.join(os.environ["AZURE_CONFIG_DIR"], "kubeconfig"), expect_json=False)
az("aks", "list", "-g", RG, "-o", "json")

# Registry, geo-replicated.
az("acr", "create", "-g", RG, "-n", "bcdrazcli", "--sku", "Premium", "-o", "json")
az("acr", "replication", "create", "-r", "bcdrazcli", "-l", "westus2", "-o", "json")
replicas = az("acr", "replication", "list", "-r", "bcdrazcli", "-o", "json")
check({r["location"] for r in replicas} >= {"westus2"}, "the replica is listed")

# Backup storage.
az("storage", "account", "create", "-g", RG, "-n", "bcdrazclibackup", "-l", "eastus",
   "--sku", "Standard_GRS", "-o", "json")
az("storage", "account", "update", "-g", RG, "-n", "bcdrazclibackup", "--tags", "role=backup",
   "-o", "json")

# Traffic Manager in front of the ingress IP.
az("network", "traffic-manager", "profile", "create", "-g", RG, "-n", "tm-azcli",
   "--routing-method", "Priority", "--unique-dns-name", "bcdr-azcli-tm", "-o", "json")
az("network", "traffic-manager", "endpoint", "create", "-g", RG, "--profile-name", "tm-azcli",
   "-n", "east", "--type", "azureEndpoints", "--target-resource-id", ip["publicIp"]["id"],
   "--priority", "1", "-o", "json")
az("network", "traffic-manager", "endpoint", "update", "-g", RG, "--profile-name", "tm-azcli",
   "-n", "east", "--type", "azureEndpoints", "--endpoint-status", "Disabled", "-o", "json")

# Front Door (Standard/Premium). The CLI 2.91 ships no `afd` commands (they moved to an extension),
# so the generic `az resource` commands drive it: they find the api-version in the provider's
# registration, as they do for any type.
fd = az("resource", "create", "-g", RG, "-n", "fd-azcli", "--resource-type", "Microsoft.Cdn/profiles",
        "--location", "global", "--properties", "{}", "--is-full-object", "-p",
        json.dumps({"location": "global", "sku": {"name": "Standard_AzureFrontDoor"}}), "-o", "json")
check(fd["sku"]["name"] == "Standard_AzureFrontDoor", "the Front Door profile's SKU")
az("resource", "create", "--id", fd["id"] + "/afdEndpoints/bcdr-azcli", "--is-full-object", "-p",
   json.dumps({"location": "global", "properties": {"enabledState": "Enabled"}}), "-o", "json")
endpoint = az("resource", "show", "--id", fd["id"] + "/afdEndpoints/bcdr-azcli", "-o", "json")
check(endpoint["properties"]["hostName"], "the endpoint has a host name")
az("resource", "tag", "--id", fd["id"], "--tags", "tier=global", "-o", "json")

# Everything is listed, then deleted.
listed = az("resource", "list", "-g", RG, "-o", "json")
check(len(listed) >= 8, f"resource list holds the topology ({len(listed)} listed)")
az("resource", "delete", "--id", fd["id"], expect_json=False)
az("network", "traffic-manager", "profile", "delete", "-g", RG, "-n", "tm-azcli",
   expect_json=False)
az("aks", "delete", "-g", RG, "-n", "aks-east", "--yes", expect_json=False)
az("group", "delete", "-n", RG, "--yes", expect_json=False)
check(not any(g["name"] == RG for g in az("group", "list", "-o", "json")), "the group is gone")
print("all ok", flush=True)
