# Import by the topology's global resource group id (or just its name): the whole topology is rebuilt
# from the resources tagged bcdr-topology = <name>.
terraform import bcdr_topology.shop /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shop-global
