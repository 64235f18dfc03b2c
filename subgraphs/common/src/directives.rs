//! Federation directives the services put on their schemas that async-graphql
//! does not offer itself.
//!
//! `@authenticated` (federation 2.5) tells the router to refuse a field to
//! requests without a verified token, before any subgraph is asked. async-graphql
//! writes a fixed `@link` import list without it, so the directive is applied
//! under the name the link spec gives non-imported federation elements,
//! `federation__authenticated`; composition reads both names alike. The
//! services keep their own checks as well: the router is not the only caller on
//! the network.

use async_graphql::TypeDirective;

/// `@federation__authenticated` on a field: only signed-in callers may select it.
#[TypeDirective(name = "federation__authenticated", location = "FieldDefinition")]
pub fn authenticated() {}
