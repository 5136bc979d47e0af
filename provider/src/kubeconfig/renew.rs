//! `RenewEphemeralResource` and `CloseEphemeralResource`. Renewal in Terraform's protocol extends a
//! lease and cannot hand Terraform a new value, and an Entra access token is neither renewable nor
//! revocable: `open` sets no `renew_at` (the token outlives a Terraform run), so Terraform never asks
//! to renew, and closing has nothing to release.

use crate::proto::tfplugin6 as pb;

/// Nothing to extend: no new `renew_at`, so Terraform asks no more.
pub fn renew() -> pb::renew_ephemeral_resource::Response {
    pb::renew_ephemeral_resource::Response {
        diagnostics: Vec::new(),
        renew_at: None,
        private: None,
    }
}

/// Nothing to release: the token lapses at `expires_at`.
pub fn close() -> pb::close_ephemeral_resource::Response {
    pb::close_ephemeral_resource::Response {
        diagnostics: Vec::new(),
    }
}
