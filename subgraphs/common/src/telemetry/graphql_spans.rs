//! Spans of a service's GraphQL work: parse, validation, execution and each
//! resolver of an object or list of objects (leaf fields would be a span per
//! scalar; introspection is left out).
//!
//! async-graphql's own `Tracing` extension is not used: its parse span records
//! the operation with its variables written in, and variables hold passwords
//! and card numbers. These spans record names, paths and types only.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextResolve,
    NextValidation, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::registry::MetaTypeName;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Value, Variables};
use tracing::Instrument;

/// Adds the spans to a schema: `Schema::build(..).extension(GraphQLSpans)`,
/// when [`super::traces_enabled`].
pub struct GraphQLSpans;

impl ExtensionFactory for GraphQLSpans {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GraphQLSpansExtension)
    }
}

struct GraphQLSpansExtension;

#[async_trait::async_trait]
impl Extension for GraphQLSpansExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .instrument(tracing::info_span!("graphql.parse"))
            .await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx)
            .instrument(tracing::info_span!("graphql.validate"))
            .await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let span = tracing::info_span!(
            "graphql.execute",
            graphql.operation.name = operation_name.unwrap_or_default(),
            otel.status_code = tracing::field::Empty,
        );
        let response = next.run(ctx, operation_name).instrument(span.clone()).await;
        if response.is_err() {
            span.record("otel.status_code", "ERROR");
        }
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let leaf = ctx
            .schema_env
            .registry
            .types
            .get(MetaTypeName::concrete_typename(info.return_type))
            .is_none_or(|ty| ty.is_leaf());
        if info.is_for_introspection || leaf {
            return next.run(ctx, info).await;
        }
        let span = tracing::info_span!(
            "graphql.resolve",
            otel.name = %format_args!("resolve {}.{}", info.parent_type, info.name),
            graphql.field.path = %info.path_node,
            graphql.field.type = info.return_type,
            otel.status_code = tracing::field::Empty,
        );
        let result = next.run(ctx, info).instrument(span.clone()).await;
        if result.is_err() {
            span.record("otel.status_code", "ERROR");
        }
        result
    }
}
