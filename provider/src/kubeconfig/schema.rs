//! `bcdr_kubeconfig`'s schema: two arguments naming the cluster, the credential as results.

use crate::schema::{Attr, Block, Mode, Ty, attr};

pub fn block() -> Block {
    Block {
        description: "A credential for one cluster of a topology, opened when Terraform needs it and never written to the state or the plan (an ephemeral resource: Terraform >= 1.10). The token is an Entra ID access token for AKS's server application, from the provider's own credential (what `kubelogin` gets for a service principal): it works only if that principal has an Azure Kubernetes Service RBAC role on the cluster. Use it in the `kubernetes` and `helm` provider blocks.",
        attributes: vec![
            attr(
                "topology",
                Ty::String,
                Mode::Required,
                "The topology's `name` (e.g. `bcdr_topology.shop.name`).",
            ),
            attr(
                "region",
                Ty::String,
                Mode::Required,
                "The region whose cluster to reach: a hot or warm region of the topology (a cold one has no cluster).",
            ),
            attr(
                "host",
                Ty::String,
                Mode::Computed,
                "The API server's URL, `https://<cluster fqdn>:443`.",
            ),
            attr(
                "cluster_ca_certificate",
                Ty::String,
                Mode::Computed,
                "The cluster CA's PEM, base64-encoded (`base64decode()` it for the `kubernetes` provider).",
            ),
            Attr {
                name: "token",
                ty: Ty::String,
                mode: Mode::Computed,
                sensitive: true,
                description: "A short-lived bearer token (Entra ID, audience `6dae42f8-4368-4678-94ff-3960e28e3630`) until `expires_at`.",
            },
            attr(
                "expires_at",
                Ty::String,
                Mode::Computed,
                "When the token stops working (RFC 3339): Entra ID's tokens last about an hour, longer than an apply needs.",
            ),
            Attr {
                name: "kube_config",
                ty: Ty::String,
                mode: Mode::Computed,
                sensitive: true,
                description: "A kubeconfig (YAML) embedding `token`, for tools that cannot run `kubelogin`.",
            },
        ],
        blocks: vec![],
    }
}
