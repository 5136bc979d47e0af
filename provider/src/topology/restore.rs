//! The `backup.restore` block at apply: when its `request` changed, the restore runs once after the
//! topology is applied, and its record (the recovery point, when) goes into the state; a restore
//! that fails leaves the previous record, so the next apply asks again.

use super::convert;
use crate::diag::{self, Diagnostics};
use crate::value::Value;
use bcdr::TopologyClient;
use bcdr::engine::CancelSignal;
use bcdr::model::Topology;

pub(super) async fn run(
    client: &TopologyClient,
    prior: &Value,
    planned: &Value,
    topology: &Topology,
    state: &mut Value,
) -> Diagnostics {
    let Some((from, into)) = convert::restore_requested(planned) else {
        return Diagnostics::new();
    };
    match client
        .restore(topology, &from, &into, CancelSignal::never())
        .await
    {
        Ok(restore) => {
            let at = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            for step in &restore.steps {
                tracing::info!(step = %step.what, took_ms = step.took.as_millis() as u64, "restore step");
            }
            convert::record_restore(state, &restore, &at);
            Diagnostics::new()
        }
        Err(error) => {
            convert::keep_prior_restore(state, prior);
            diag::error_at(
                &["backup", "restore"],
                "Restore failed",
                format!(
                    "restoring {from}'s latest backup into {into} failed: {error}; the rest of the apply stands, and the next apply tries the restore again"
                ),
            )
            .into()
        }
    }
}
