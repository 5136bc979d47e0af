//! The order in which ready operations start: the longest remaining chain first (list scheduling by
//! upward rank), each operation weighted by how long Azure typically takes for it.
//!
//! Without a bound, every ready operation starts at once, and the order only decides which request
//! goes out first. Under `with_max_concurrency`, or while the engine waits for ARM's write budget,
//! the order decides which operations get the free slots. The long chains (an AKS create, a VNet's
//! peering chain) must get them before the short tails (a role assignment, a blob container); in
//! index order, a bounded apply could spend its slots on the short work and start a cluster late.

use crate::layout::ResourceKey;
use crate::plan::{Action, Plan, PlannedOperation};
use std::time::Duration;

/// How long Azure typically takes for `op` (public figures and our own observations; an estimate
/// for ordering, never a timeout).
pub fn typical_duration(op: &PlannedOperation) -> Duration {
    let create = |key: &ResourceKey| -> u64 {
        match key {
            ResourceKey::DatabaseServer(_) => 600,
            ResourceKey::ManagedCluster(_) => 300,
            ResourceKey::NodePool { .. } => 180,
            ResourceKey::Replication(_) => 60,
            ResourceKey::FrontDoorProfile
            | ResourceKey::FrontDoorEndpoint
            | ResourceKey::FrontDoorRoute
            | ResourceKey::FrontDoorSecurityPolicy => 30,
            ResourceKey::StorageAccount => 25,
            ResourceKey::Registry => 20,
            ResourceKey::FrontDoorOriginGroup | ResourceKey::FrontDoorOrigin(_) => 15,
            ResourceKey::Peering { .. } | ResourceKey::WafPolicy => 10,
            ResourceKey::VirtualNetwork(_) => 6,
            ResourceKey::PublicIp(_) => 4,
            ResourceKey::LogWorkspace(_) => 3,
            ResourceKey::TrafficManagerProfile | ResourceKey::TrafficManagerChild(_) => 2,
            _ => 1,
        }
    };
    let delete = |key: &ResourceKey| -> u64 {
        match key {
            ResourceKey::ManagedCluster(_) => 180,
            ResourceKey::NodePool { .. } | ResourceKey::DatabaseServer(_) => 120,
            ResourceKey::ResourceGroup(_) => 60,
            other => create(other),
        }
    };
    let update = |key: &ResourceKey| -> u64 {
        match key {
            ResourceKey::ManagedCluster(_) => 120,
            other => create(other),
        }
    };
    Duration::from_secs(match op.action {
        Action::NoOp => 0,
        Action::Create => create(&op.key),
        Action::Update => update(&op.key),
        Action::Delete => delete(&op.key),
        Action::Replace => delete(&op.key) + create(&op.key),
        // A switchover: Azure's guidance counts it in minutes.
        Action::Promote => 120,
    })
}

/// What every operation costs beyond Azure's own time: its requests, and the part of a poll interval
/// it waits after the work is done (`Retry-After` comes in whole seconds). A chain of many short
/// operations (a VNet's 2·(N-1) peering writes) pays it at every link.
const PER_OPERATION: Duration = Duration::from_secs(1);

/// The plan's operations, longest remaining chain first: an operation's rank is its typical duration
/// (plus a second for a change: its requests, and the rest of the poll interval it waits out) and the
/// largest rank among the operations that wait for it.
/// Equal ranks keep the plan's order.
pub fn start_order(plan: &Plan) -> Vec<usize> {
    let ops = &plan.operations;
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); ops.len()];
    for (i, op) in ops.iter().enumerate() {
        for &d in &op.depends_on {
            if let Some(list) = dependents.get_mut(d) {
                list.push(i);
            }
        }
    }
    let mut rank: Vec<Option<Duration>> = vec![None; ops.len()];
    for i in 0..ops.len() {
        rank_of(i, ops, &dependents, &mut rank);
    }
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(rank[i].unwrap_or_default()));
    order
}

/// Memoised upward rank; the plan is a DAG, so the recursion ends (its depth is the longest chain).
fn rank_of(
    i: usize,
    ops: &[PlannedOperation],
    dependents: &[Vec<usize>],
    rank: &mut [Option<Duration>],
) -> Duration {
    if let Some(r) = rank[i] {
        return r;
    }
    let mut tail = Duration::ZERO;
    for &j in &dependents[i] {
        tail = tail.max(rank_of(j, ops, dependents, rank));
    }
    let own = match ops[i].action {
        Action::NoOp => Duration::ZERO,
        _ => typical_duration(&ops[i]) + PER_OPERATION,
    };
    let r = own + tail;
    rank[i] = Some(r);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(key: ResourceKey, depends_on: &[usize]) -> PlannedOperation {
        PlannedOperation {
            key,
            id: String::new(),
            action: Action::Create,
            body: None,
            reason: String::new(),
            drift: Vec::new(),
            depends_on: depends_on.to_vec(),
            bindings: Vec::new(),
        }
    }

    #[test]
    fn the_longest_remaining_chain_starts_first() {
        let r = |s: &str| s.to_owned();
        let plan = Plan {
            operations: vec![
                op(ResourceKey::ResourceGroup(r("eastus")), &[]),
                op(ResourceKey::PublicIp(r("eastus")), &[0]),
                op(ResourceKey::RoleAssignment(r("eastus")), &[0]),
                op(ResourceKey::VirtualNetwork(r("eastus")), &[0]),
                op(ResourceKey::ManagedCluster(r("eastus")), &[3]),
                op(ResourceKey::TrafficManagerProfile, &[]),
            ],
        };
        // The group leads to the cluster (2 + 7 + 301 s); the VNet then the cluster; the IP, the
        // profile and the role assignment are tails (equal ones keep the plan's order).
        assert_eq!(start_order(&plan), vec![0, 3, 4, 1, 5, 2]);
    }

    #[test]
    fn a_long_chain_of_short_writes_outranks_one_long_write() {
        // 30 peering writes of 10 s, each with its requests and poll (16 regions), against a cluster.
        let mut operations = vec![op(ResourceKey::ManagedCluster("eastus".into()), &[])];
        for i in 0..30 {
            let to = format!("r{i}");
            let deps: Vec<usize> = if i == 0 { vec![] } else { vec![i] };
            operations.push(op(
                ResourceKey::Peering {
                    from: "eastus".into(),
                    to,
                },
                &deps,
            ));
        }
        let order = start_order(&Plan { operations });
        assert_eq!(order[0], 1, "the first peering write outranks the cluster");
    }

    #[test]
    fn a_replace_weighs_its_delete_and_its_create() {
        let mut replace = op(ResourceKey::RegistryPull("eastus".into()), &[]);
        replace.action = Action::Replace;
        assert_eq!(typical_duration(&replace), Duration::from_secs(2));
        let mut noop = op(ResourceKey::ManagedCluster("eastus".into()), &[]);
        noop.action = Action::NoOp;
        assert_eq!(typical_duration(&noop), Duration::ZERO);
    }
}
