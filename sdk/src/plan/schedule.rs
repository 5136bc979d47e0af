//! The order of peering writes: rounds of a round-robin edge colouring of the region graph, chained per
//! VNet, so no two writes touch one VNet at once and as many as possible run together.

use super::{Action, PlannedOperation};
use crate::layout::ResourceKey;
use std::collections::{BTreeMap, BTreeSet};

/// Peering writes lock their local VNet and need the remote one idle, so no two may touch one VNet at
/// once. Orders the writes by rounds of a round-robin edge colouring of the region graph (each round a
/// matching, both directions of a pair in consecutive rounds), then makes each write wait for the
/// previous write on either of its VNets: a chain per VNet, as much parallelism as the matchings allow.
pub(super) fn schedule_peerings(ops: &mut [PlannedOperation]) {
    let ends = |o: &PlannedOperation| match &o.key {
        ResourceKey::Peering { from, to } => Some((from.clone(), to.clone())),
        _ => None,
    };
    let mut writes: Vec<(usize, String, String)> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| o.action != Action::NoOp)
        .filter_map(|(i, o)| ends(o).map(|(f, t)| (i, f, t)))
        .collect();
    let regions: Vec<String> = writes
        .iter()
        .flat_map(|(_, f, t)| [f.clone(), t.clone()])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rounds = round_robin(&regions);
    // Within a pair, a side that exists is written before one being created: a Disconnected side
    // must be Initiated again before Azure lets its remote side be made.
    writes.sort_by_cached_key(|(i, f, t)| {
        (
            rounds.get(&ordered(f, t)).copied().unwrap_or(usize::MAX),
            ops[*i].action == Action::Create,
            f > t,
            *i,
        )
    });
    let mut last_on: BTreeMap<String, usize> = BTreeMap::new();
    for (i, from, to) in writes {
        for v in [&from, &to] {
            if let Some(&prev) = last_on.get(v)
                && !ops[i].depends_on.contains(&prev)
            {
                ops[i].depends_on.push(prev);
            }
        }
        last_on.insert(from, i);
        last_on.insert(to, i);
    }
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// The circle method: n-1 rounds (n rounded up to even), each pairing every region at most once.
pub(super) fn round_robin(regions: &[String]) -> BTreeMap<(String, String), usize> {
    let mut seats: Vec<Option<&String>> = regions.iter().map(Some).collect();
    if seats.len() % 2 == 1 {
        seats.push(None);
    }
    let n = seats.len();
    let mut out = BTreeMap::new();
    for round in 0..n.saturating_sub(1) {
        for i in 0..n / 2 {
            if let (Some(a), Some(b)) = (seats[i], seats[n - 1 - i]) {
                out.insert(ordered(a, b), round);
            }
        }
        if n > 2 {
            let last = seats.remove(n - 1);
            seats.insert(1, last);
        }
    }
    out
}
