//! The tfplugin6 `Provider` service: one method per RPC, each decoding Terraform's values, handing them
//! to `config` or `topology`, and encoding the answer. Errors travel as diagnostics, not gRPC errors;
//! [`wire`] encodes them.

pub mod wire;

use crate::diag::{self, Diagnostic, Diagnostics};
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider;
use crate::value::{self, Value};
use crate::{config, kubeconfig, regions, topology};
use bcdr::TopologyClient;
use bcdr::engine::{CancelSignal, Canceller, cancellation};
use std::sync::{Mutex, RwLock};
use tonic::{Request, Response, Status};

/// The provider's state across RPCs.
#[derive(Debug)]
pub struct BcdrProvider {
    client: RwLock<Option<TopologyClient>>,
    stop: Mutex<(Canceller, CancelSignal)>,
}

impl Default for BcdrProvider {
    fn default() -> Self {
        Self {
            client: RwLock::new(None),
            stop: Mutex::new(cancellation()),
        }
    }
}

fn decode(v: Option<&pb::DynamicValue>) -> Result<Value, Status> {
    let Some(v) = v else { return Ok(Value::Null) };
    let decoded = if !v.msgpack.is_empty() {
        value::decode_msgpack(&v.msgpack)
    } else if !v.json.is_empty() {
        value::decode_json(&v.json)
    } else {
        Ok(Value::Null)
    };
    decoded.map_err(|e| Status::invalid_argument(e.to_string()))
}

fn encode(v: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: value::encode_msgpack(v),
        json: Vec::new(),
    })
}

fn unknown_type(kind: &str, name: &str) -> Diagnostic {
    diag::error(
        format!("Unknown {kind} type"),
        format!(
            "this provider has no {kind} \"{name}\"; it offers resource \"{}\", data source \"{}\" and ephemeral resource \"{}\"",
            topology::TYPE_NAME,
            regions::TYPE_NAME,
            kubeconfig::TYPE_NAME
        ),
    )
}

fn not_configured() -> Diagnostic {
    diag::error(
        "Provider not configured",
        "the bcdr provider was used before ConfigureProvider succeeded; check the provider block",
    )
}

impl BcdrProvider {
    /// The configured client, whose requests and waits end when Terraform asks the provider to stop.
    fn client(&self) -> Option<TopologyClient> {
        let client = self.client.read().ok().and_then(|c| c.clone())?;
        Some(client.with_cancel(&self.cancel_signal()))
    }

    /// Cancels all in-flight work (Terraform's StopProvider, or Terraform gone); later calls start
    /// afresh.
    pub fn stop(&self) {
        if let Ok(mut stop) = self.stop.lock() {
            stop.0.cancel();
            *stop = cancellation();
        }
    }

    fn cancel_signal(&self) -> CancelSignal {
        self.stop
            .lock()
            .map(|s| s.1.clone())
            .unwrap_or_else(|_| CancelSignal::never())
    }
}

#[tonic::async_trait]
impl Provider for BcdrProvider {
    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(config::schema().to_proto(0)),
            resource_schemas: [(
                topology::TYPE_NAME.to_owned(),
                topology::schema::resource().to_proto(topology::schema::VERSION),
            )]
            .into(),
            data_source_schemas: [(regions::TYPE_NAME.to_owned(), regions::schema().to_proto(0))]
                .into(),
            diagnostics: Vec::new(),
            provider_meta: None,
            ephemeral_resource_schemas: [(
                kubeconfig::TYPE_NAME.to_owned(),
                kubeconfig::schema::block().to_proto(0),
            )]
            .into(),
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let config = decode(req.get_ref().config.as_ref())?;
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: wire::diagnostics(config::validate(&config)),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        if req.type_name != topology::TYPE_NAME {
            return Ok(Response::new(pb::validate_resource_config::Response {
                diagnostics: wire::diagnostics(unknown_type("resource", &req.type_name)),
            }));
        }
        let config = decode(req.config.as_ref())?;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: wire::diagnostics(topology::validate(&config)),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let diagnostics = if req.type_name == regions::TYPE_NAME {
            regions::validate(&decode(req.config.as_ref())?)
        } else {
            unknown_type("data source", &req.type_name).into()
        };
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: wire::diagnostics(diagnostics),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let (state, diagnostics) = match (req.type_name.as_str(), &req.raw_state) {
            (topology::TYPE_NAME, Some(raw)) => topology::upgrade(raw),
            (topology::TYPE_NAME, None) => (Value::Null, Diagnostics::new()),
            (other, _) => (Value::Null, unknown_type("resource", other).into()),
        };
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: encode(&state),
            diagnostics: wire::diagnostics(diagnostics),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let config = decode(req.get_ref().config.as_ref())?;
        let diagnostics = match config::configure(&config) {
            Ok(client) => {
                if let Ok(mut slot) = self.client.write() {
                    *slot = Some(client);
                }
                Diagnostics::new()
            }
            Err(diags) => diags,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: wire::diagnostics(diagnostics),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let current = decode(req.current_state.as_ref())?;
        let client = self.client();
        let (state, diagnostics) = match (req.type_name.as_str(), &client) {
            (topology::TYPE_NAME, Some(client)) => topology::read(client, &current).await,
            (topology::TYPE_NAME, None) => (current, not_configured().into()),
            (other, _) => (current, unknown_type("resource", other).into()),
        };
        // The refreshed state is the one the apply starts from (in another process): it carries
        // what the refresh learnt of regions that do not answer (see `topology::private`).
        let open = client
            .as_ref()
            .map(|c| c.arm().breaker().open_regions())
            .unwrap_or_default();
        Ok(Response::new(pb::read_resource::Response {
            new_state: encode(&state),
            diagnostics: wire::diagnostics(diagnostics),
            private: topology::private::with_unreachable(
                &req.private,
                &open,
                std::time::SystemTime::now(),
            ),
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        if req.type_name != topology::TYPE_NAME {
            return Ok(Response::new(pb::plan_resource_change::Response {
                diagnostics: wire::diagnostics(unknown_type("resource", &req.type_name)),
                ..Default::default()
            }));
        }
        let (prior, proposed, config) = (
            decode(req.prior_state.as_ref())?,
            decode(req.proposed_new_state.as_ref())?,
            decode(req.config.as_ref())?,
        );
        let client = self.client();
        let subscription = client.as_ref().map(|c| c.arm().subscription_id());
        let (catalog, online) = match &client {
            Some(client) if !proposed.is_null() => tokio::join!(
                topology::catalog(client, &config),
                topology::taken_names(client, &prior, &config),
            ),
            _ => (Ok(bcdr::regions::Catalog::offline()), Diagnostics::new()),
        };
        let (planned, requires_replace, diagnostics) = match catalog {
            Ok(catalog) => {
                topology::plan(&prior, &config, &proposed, subscription, &catalog, online)
            }
            Err(failed) => (Value::Null, Vec::new(), failed.into()),
        };
        // What the plan learnt of regions that do not answer, for the apply's process.
        let open = client
            .as_ref()
            .map(|c| c.arm().breaker().open_regions())
            .unwrap_or_default();
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: encode(&planned),
            requires_replace: requires_replace.iter().map(wire::path).collect(),
            planned_private: topology::private::with_unreachable(
                &req.prior_private,
                &open,
                std::time::SystemTime::now(),
            ),
            diagnostics: wire::diagnostics(diagnostics),
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let (prior, planned) = (
            decode(req.prior_state.as_ref())?,
            decode(req.planned_state.as_ref())?,
        );
        let (open, private) =
            topology::private::take_unreachable(&req.planned_private, std::time::SystemTime::now());
        let (state, diagnostics) = match (req.type_name.as_str(), self.client()) {
            (topology::TYPE_NAME, Some(client)) => {
                for region in &open {
                    client.arm().breaker().assume_open(region);
                }
                topology::apply(&client, &prior, &planned, self.cancel_signal()).await
            }
            (topology::TYPE_NAME, None) => (prior, not_configured().into()),
            (other, _) => (prior, unknown_type("resource", other).into()),
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: encode(&state),
            private,
            diagnostics: wire::diagnostics(diagnostics),
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let (state, diagnostics) = match (req.type_name.as_str(), self.client()) {
            (topology::TYPE_NAME, Some(client)) => topology::import(&client, &req.id).await,
            (topology::TYPE_NAME, None) => (None, not_configured().into()),
            (other, _) => (None, unknown_type("resource", other).into()),
        };
        let imported_resources = state
            .map(|s| {
                vec![pb::import_resource_state::ImportedResource {
                    type_name: topology::TYPE_NAME.to_owned(),
                    state: encode(&s),
                    private: Vec::new(),
                }]
            })
            .unwrap_or_default();
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: wire::diagnostics(diagnostics),
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let config = decode(req.config.as_ref())?;
        let (state, diagnostics) = match (req.type_name.as_str(), self.client()) {
            (regions::TYPE_NAME, Some(client)) => {
                let (state, diags) = regions::read(&client, &config).await;
                (regions::schema().complete(&state), diags)
            }
            (regions::TYPE_NAME, None) => (Value::Null, not_configured().into()),
            (other, _) => (Value::Null, unknown_type("data source", other).into()),
        };
        Ok(Response::new(pb::read_data_source::Response {
            state: encode(&state),
            diagnostics: wire::diagnostics(diagnostics),
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = req.into_inner();
        let diagnostics = if req.type_name == kubeconfig::TYPE_NAME {
            kubeconfig::validate::validate(&decode(req.config.as_ref())?)
        } else {
            unknown_type("ephemeral resource", &req.type_name).into()
        };
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: wire::diagnostics(diagnostics),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = req.into_inner();
        let config = decode(req.config.as_ref())?;
        let (result, diagnostics) = match (req.type_name.as_str(), self.client()) {
            (kubeconfig::TYPE_NAME, Some(client)) => {
                let (result, diags) = kubeconfig::open::open(&client, &config).await;
                (kubeconfig::schema::block().complete(&result), diags)
            }
            (kubeconfig::TYPE_NAME, None) => (Value::Null, not_configured().into()),
            (other, _) => (
                Value::Null,
                unknown_type("ephemeral resource", other).into(),
            ),
        };
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: wire::diagnostics(diagnostics),
            renew_at: None,
            result: encode(&result),
            private: None,
            deferred: None,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        Ok(Response::new(kubeconfig::renew::renew()))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        Ok(Response::new(kubeconfig::renew::close()))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("stop requested: cancelling in-flight work");
        self.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}
