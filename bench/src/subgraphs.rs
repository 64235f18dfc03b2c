//! The four benchmark subgraphs as HTTP services, and their SDL for composition.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::{ObjectType, SDLExportOptions, Schema, SubscriptionType};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::memo::{Memo, answer_from_memo};
use crate::{accounts, inventory, products, reviews};

/// The benchmark's subgraphs, in the order of their default ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subgraph {
    Accounts,
    Products,
    Inventory,
    Reviews,
}

impl Subgraph {
    pub const ALL: [Subgraph; 4] = [
        Subgraph::Accounts,
        Subgraph::Products,
        Subgraph::Inventory,
        Subgraph::Reviews,
    ];

    /// The name it has in the supergraph (`@join__graph(name:)`).
    pub fn name(self) -> &'static str {
        match self {
            Subgraph::Accounts => "accounts",
            Subgraph::Products => "products",
            Subgraph::Inventory => "inventory",
            Subgraph::Reviews => "reviews",
        }
    }

    /// The port it listens on by default (`bench-subgraphs`, and the routing URLs
    /// of the committed supergraph).
    pub fn default_port(self) -> u16 {
        match self {
            Subgraph::Accounts => 4201,
            Subgraph::Products => 4202,
            Subgraph::Inventory => 4203,
            Subgraph::Reviews => 4204,
        }
    }

    /// The subgraph's Federation v2 SDL, as its `_service { sdl }` answers it.
    pub fn sdl(self) -> String {
        let options = SDLExportOptions::new().federation();
        match self {
            Subgraph::Accounts => accounts::schema().sdl_with_options(options),
            Subgraph::Products => products::schema().sdl_with_options(options),
            Subgraph::Inventory => inventory::schema().sdl_with_options(options),
            Subgraph::Reviews => reviews::schema().sdl_with_options(options),
        }
    }

    /// Answers one GraphQL-over-HTTP request body in memory, without HTTP: what
    /// the subgraph would send back. Used to record canned subgraph responses.
    pub async fn execute(self, request_body: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
        let request: async_graphql::Request = serde_json::from_slice(request_body)?;
        let response = match self {
            Subgraph::Accounts => accounts::schema().execute(request).await,
            Subgraph::Products => products::schema().execute(request).await,
            Subgraph::Inventory => inventory::schema().execute(request).await,
            Subgraph::Reviews => reviews::schema().execute(request).await,
        };
        serde_json::to_vec(&response)
    }

    /// The subgraph called `name` in the supergraph.
    pub fn from_name(name: &str) -> Option<Subgraph> {
        Subgraph::ALL.into_iter().find(|s| s.name() == name)
    }

    /// `/graphql` (POST) for this subgraph.
    pub fn app(self) -> axum::Router {
        match self {
            Subgraph::Accounts => graphql_app(accounts::schema()),
            Subgraph::Products => graphql_app(products::schema()),
            Subgraph::Inventory => graphql_app(inventory::schema()),
            Subgraph::Reviews => graphql_app(reviews::schema()),
        }
    }
}

fn graphql_app<Q, M, S>(schema: Schema<Q, M, S>) -> axum::Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    axum::Router::new()
        .route("/graphql", post(graphql_handler::<Q, M, S>))
        .with_state(schema)
}

async fn graphql_handler<Q, M, S>(
    State(schema): State<Schema<Q, M, S>>,
    request: GraphQLRequest,
) -> GraphQLResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    schema.execute(request.into_inner()).await.into()
}

async fn count_request(
    State(served): State<Arc<AtomicU64>>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    served.fetch_add(1, Ordering::Relaxed);
    next.run(request).await
}

fn requests_served(
    served: Arc<AtomicU64>,
) -> impl Fn() -> std::future::Ready<String> + Clone + Send + Sync + 'static {
    move || std::future::ready(served.load(Ordering::Relaxed).to_string())
}

/// The four subgraphs bound to their listeners, not yet serving.
pub struct BoundSubgraphs {
    listeners: Vec<(Subgraph, TcpListener)>,
    memo: bool,
}

impl BoundSubgraphs {
    /// Binds every subgraph to `host` at `port_of(subgraph)` (0 picks a free port).
    pub async fn bind(
        host: &str,
        port_of: impl Fn(Subgraph) -> u16,
    ) -> std::io::Result<BoundSubgraphs> {
        let mut listeners = Vec::with_capacity(Subgraph::ALL.len());
        for subgraph in Subgraph::ALL {
            let listener = TcpListener::bind((host, port_of(subgraph))).await?;
            listeners.push((subgraph, listener));
        }
        Ok(BoundSubgraphs {
            listeners,
            memo: true,
        })
    }

    /// Executes every request, instead of answering a body answered before
    /// from memory ([`crate::memo`]).
    pub fn executing_every_request(mut self) -> Self {
        self.memo = false;
        self
    }

    /// Each subgraph's `/graphql` URL.
    pub fn urls(&self) -> std::io::Result<Vec<(Subgraph, String)>> {
        self.listeners
            .iter()
            .map(|(subgraph, listener)| {
                let addr: SocketAddr = listener.local_addr()?;
                Ok((*subgraph, format!("http://{addr}/graphql")))
            })
            .collect()
    }

    /// Serves all four until `shutdown` resolves; returns the first I/O error.
    /// A body a subgraph answered before is answered from memory unless
    /// [`BoundSubgraphs::executing_every_request`].
    ///
    /// Each also answers `GET /requests` with the number of GraphQL requests the
    /// four have served together, so the load harness can tell how many subgraph
    /// requests a gateway makes per client request.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, _) = tokio::sync::broadcast::channel::<()>(1);
        let served = Arc::new(AtomicU64::new(0));
        let mut servers = JoinSet::new();
        for (subgraph, listener) in self.listeners {
            let mut stopped = stop.subscribe();
            let mut app = subgraph.app();
            if self.memo {
                app = app.route_layer(middleware::from_fn_with_state(
                    Arc::new(Memo::default()),
                    answer_from_memo,
                ));
            }
            let app = app
                .layer(middleware::from_fn_with_state(
                    served.clone(),
                    count_request,
                ))
                .route("/requests", get(requests_served(served.clone())));
            servers.spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.recv().await;
                    })
                    .await
            });
        }
        tokio::select! {
            () = shutdown => {}
            Some(Ok(Err(error))) = servers.join_next() => {
                let _ = stop.send(());
                return Err(error);
            }
        }
        let _ = stop.send(());
        while let Some(result) = servers.join_next().await {
            if let Ok(Err(error)) = result {
                return Err(error);
            }
        }
        Ok(())
    }
}
