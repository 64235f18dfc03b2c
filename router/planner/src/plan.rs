//! The query plan: the contract between the planner and the executor.
//!
//! The shape follows the one every federation router converged on (Apollo Router,
//! Hive Router): a tree of `Sequence`, `Parallel`, `Flatten` and `Condition` nodes
//! whose leaves are `Fetch` nodes, each carrying the pre-rendered operation that
//! is sent to one subgraph.
//!
//! Contract with the executor:
//! - Subgraph operations use the client's response keys (aliases) wherever they can, so
//!   every fetch result merges into one response tree keyed like the client's response.
//!   Where two selections would clash in one subgraph operation (same response key,
//!   different field types), the planner aliases one internally and lists an
//!   `output_rewrites` entry that renames the key back after the fetch.
//! - An entity fetch (`requires` non-empty) runs under a `Flatten` node: the executor
//!   walks the response tree along the flatten path, builds one representation per
//!   object from `requires` (only the inline fragments whose type condition equals the
//!   object's `__typename`), deduplicates them, sends them as `$representations`, and
//!   deep-merges each returned entity into the objects it came from.
//! - An entity fetch with `context_arguments` selects fields taking `@fromContext`
//!   arguments, which the operation passes as variables it declares itself
//!   (`$contextualArgument_1`). For each object the executor finds the value of each
//!   such variable on the object's nearest ancestor setting the context (see
//!   [`ContextArgument`]), then splits the objects by the values they get. With one
//!   set of values (the usual case) the operation is sent as it is; with several, one
//!   request holds an aliased `_entities` per set, each with its own representations
//!   and copies of the context variables (see [`ContextBatch`]).
//! - Entity fetches to the same subgraph that become ready at the same step of the
//!   plan (siblings of one `Parallel`, or one stage) are one `BatchFetch` node: one
//!   operation with one aliased `_entities` selection per part
//!   (`_0:_entities(representations:$representations0){...}`), each part with its own
//!   flatten paths, `requires` and rewrites. The executor builds each part's
//!   representations as for a single entity fetch (a part with several paths, the same
//!   entity type reached at several places with the same selection, deduplicates across
//!   them), sends `[]` for a part with none, sends nothing when every part has none,
//!   and routes `_N` results and errors (`["_0", 3, "field"]`) back to the part's
//!   objects. A batch with a part taking `@fromContext` arguments is put together
//!   at run time instead: `_U_S` per part and set of values (parts disabled by their
//!   conditions or with no objects left out), from each part's `selection` and the
//!   node's `client_definitions`.
//! - An operation with `@defer` is planned as one `Defer` node at the top (see
//!   [`PlanNode::Defer`]): a primary plan, and per active deferred fragment a
//!   [`DeferredNode`] whose sub-plan fetches only what that fragment needs and
//!   nothing the primary plan fetched already. Run as one, in that order, the
//!   parts fill the same response as a plan without `@defer`.
//! - The final response is shaped by the executor from the client operation (selection
//!   order, `__typename`, null propagation); fields the planner added (keys, required
//!   fields, `__typename`) are dropped there.

use serde::Serialize;

/// A whole plan. `node` is `None` when nothing needs fetching (for example an
/// operation that selects only `__typename` or introspection fields, or whose every
/// field is skipped).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryPlan {
    pub node: Option<PlanNode>,
    /// Client fields no subgraph can resolve where they are selected (every
    /// subgraph that has them marks them `@external` there without a covering
    /// `@provides`, or the only way in is a `resolvable: false` key). No fetch
    /// asks for them; the executor answers each with a field error at its path
    /// (and `null` there, with normal null propagation), so the rest of the
    /// response is still served.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolvable: Vec<UnresolvableField>,
}

/// A client field left out of every fetch because nothing can resolve it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnresolvableField {
    /// Where the objects holding the field are, as in a `Flatten` path.
    pub path: Vec<PathElement>,
    /// The field's parent type: only objects of that type (by `__typename`, when
    /// the data carries it) get the error.
    pub parent_type: String,
    pub field_name: String,
    pub response_key: String,
    /// `@skip`/`@include(if: $v)` around the field: when they exclude it, the
    /// client did not select it and nothing is reported.
    pub conditions: Vec<VariableCondition>,
    /// Why no fetch asks for it.
    #[serde(skip_serializing_if = "UnresolvableReason::is_no_subgraph")]
    pub reason: UnresolvableReason,
}

/// Why a client field is in [`QueryPlan::unresolvable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnresolvableReason {
    /// No subgraph can resolve it at that path.
    NoSubgraph,
    /// The request does not meet the field's authorization requirements
    /// (`@authenticated`, `@requiresScopes`, `@policy`).
    Unauthorized,
}

impl UnresolvableReason {
    fn is_no_subgraph(&self) -> bool {
        *self == UnresolvableReason::NoSubgraph
    }
}

/// `@include(if: $variable)` (`include_if: true`) or `@skip(if: $variable)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableCondition {
    pub variable: String,
    pub include_if: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum PlanNode {
    Fetch(FetchNode),
    /// Several entity fetches to one subgraph sent as one request; see
    /// [`BatchFetchNode`]. Not under a `Flatten`: each part carries its paths.
    BatchFetch(BatchFetchNode),
    /// Children run one after another; each sees the data of the ones before.
    Sequence {
        nodes: Vec<PlanNode>,
    },
    /// Children are independent and run concurrently.
    Parallel {
        nodes: Vec<PlanNode>,
    },
    /// Runs `node` (an entity fetch) for every object found at `path` in the response.
    Flatten {
        path: Vec<PathElement>,
        node: Box<PlanNode>,
    },
    /// `@defer`: `primary` first, then each deferred part in order, each after
    /// the ones before it (so keys fetched by earlier parts are there). Only
    /// ever the root of a plan. Run as a whole (a client that cannot take an
    /// incremental response), it gives the same data as a plan without
    /// `@defer`; run incrementally, the data `primary` fetched is sent first
    /// without the deferred fragments' fields, then each part's fragment.
    Defer {
        primary: Option<Box<PlanNode>>,
        deferred: Vec<DeferredNode>,
    },
    /// `@skip`/`@include(if: $variable)` deciding whether whole fetches happen:
    /// `if_clause` runs when the variable is true, `else_clause` when it is false.
    Condition {
        condition: String,
        if_clause: Option<Box<PlanNode>>,
        else_clause: Option<Box<PlanNode>>,
    },
    /// A subscription; only ever the root of a plan. `primary` is the
    /// subscription operation sent once to the subgraph owning the root field,
    /// which answers with a stream of events. For every event, the event's
    /// data is the response so far and `rest` (the entity fetches for fields
    /// other subgraphs resolve) runs on it, like the rest of a query's plan
    /// after its root fetch.
    Subscription {
        primary: Box<FetchNode>,
        rest: Option<Box<PlanNode>>,
    },
}

impl PlanNode {
    /// Every `(subgraph, operation)` this node may send, in plan order (both
    /// branches of a condition).
    pub fn subgraph_operations(&self) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        self.collect_operations(&mut out);
        out
    }

    fn collect_operations<'p>(&'p self, out: &mut Vec<(&'p str, &'p str)>) {
        match self {
            PlanNode::Fetch(fetch) => out.push((&fetch.subgraph, &fetch.operation)),
            PlanNode::BatchFetch(batch) => out.push((&batch.subgraph, &batch.operation)),
            PlanNode::Sequence { nodes } | PlanNode::Parallel { nodes } => {
                nodes.iter().for_each(|n| n.collect_operations(out))
            }
            PlanNode::Flatten { node, .. } => node.collect_operations(out),
            PlanNode::Defer { primary, deferred } => {
                let parts = deferred.iter().filter_map(|part| part.node.as_deref());
                for node in primary.as_deref().into_iter().chain(parts) {
                    node.collect_operations(out);
                }
            }
            PlanNode::Condition {
                if_clause,
                else_clause,
                ..
            } => {
                for clause in [if_clause, else_clause].into_iter().flatten() {
                    clause.collect_operations(out);
                }
            }
            PlanNode::Subscription { primary, rest } => {
                out.push((&primary.subgraph, &primary.operation));
                if let Some(rest) = rest {
                    rest.collect_operations(out);
                }
            }
        }
    }
}

/// One deferred fragment of a [`PlanNode::Defer`].
///
/// Fields of the fragment that a primary fetch could select along with the
/// primary fields are fetched there and only delivered with this part; `node`
/// holds the fetches that serve deferred fields only. Nested `@defer`s are
/// parts of their own, listed after the part of the fragment around them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeferredNode {
    /// Which `@defer` of the operation this is, numbered as
    /// [`crate::defer::deferred_fragments`] numbers them: the executor finds
    /// the fragment to shape by it.
    pub index: usize,
    /// `@defer(label:)`, passed back to the client with the part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `@defer(if: $variable)`: the fragment is deferred only when the
    /// variable is true; otherwise `node` still runs, before the response is
    /// sent, and the fragment is delivered with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub if_variable: Option<String>,
    /// Where the objects holding the fragment are (as a `Flatten` path): one
    /// incremental result per object found there.
    pub path: Vec<PathElement>,
    /// The type of the selection set holding the fragment: only objects of
    /// that type (by `__typename` when abstract) get the fragment.
    pub parent_type: String,
    /// Positions in [`PlanNode::Defer`]'s `deferred` of the earlier parts
    /// whose fetches this part's fetches wait for (a nested fragment's part
    /// waits for its parent's): when this part is not deferred
    /// (`if_variable` false), it runs after them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<usize>,
    /// The fetches serving only this fragment's fields; `None` when the
    /// primary fetches already bring them.
    pub node: Option<Box<PlanNode>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FetchNode {
    /// The subgraph's name as given by `@join__graph(name:)`.
    pub subgraph: String,
    /// The GraphQL document sent to the subgraph, rendered once at planning time.
    pub operation: String,
    pub operation_name: Option<String>,
    pub operation_kind: OperationKind,
    /// Client variables the operation uses; only these are forwarded.
    pub variable_usages: Vec<String>,
    /// Selection that builds each entity representation; empty for a root fetch.
    /// Always a list of inline fragments with a type condition, each starting with
    /// `__typename`, then the key fields, then any `@requires` fields.
    pub requires: Vec<Selection>,
    /// Applied to each representation before it is sent (for example setting
    /// `__typename` to an `@interfaceObject` type name).
    pub input_rewrites: Vec<FetchRewrite>,
    /// Applied to each returned entity or root result before merging (for example
    /// renaming an internal alias back to the client's response key).
    pub output_rewrites: Vec<FetchRewrite>,
    /// Variables the operation declares for `@fromContext` arguments, whose values
    /// the executor reads per entity from an ancestor in the response; empty for
    /// most fetches (and then not serialised).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub context_arguments: Vec<ContextArgument>,
    /// For a fetch with `context_arguments`: how to ask for the objects of
    /// several distinct sets of values in one request, one aliased `_entities`
    /// per set (`_0:_entities(representations:$representations0){...}`), each
    /// with its own copies of the context variables (`$contextualArgument_1_0`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub context_batch: Option<ContextBatch>,
}

/// The parts of a fetch with `@fromContext` arguments that the executor puts
/// together when the objects get several sets of values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextBatch {
    /// The operation's name, if it has one.
    pub operation_name: Option<String>,
    /// Definitions of the client variables the fetch uses (`$v:T=default`).
    pub client_definitions: Vec<String>,
    /// The selection inside `_entities(...)`, using the variables named in
    /// `context_arguments`, each renamed per set.
    pub selection: String,
}

/// A variable of an entity fetch whose value comes from an ancestor of each
/// entity: an argument marked `@fromContext(field: "$ctx { ... }")` in the
/// subgraph, hidden from clients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextArgument {
    /// The variable's name (without `$`), declared by the fetch's operation.
    pub variable: String,
    /// Its GraphQL type, as declared.
    #[serde(rename = "type")]
    pub ty: String,
    /// Where the value may come from, nearest ancestor first. The executor
    /// takes the first source whose ancestor exists and matches its type
    /// conditions; with none, the value is `null`.
    pub sources: Vec<ContextSource>,
}

/// One ancestor position where a context may be set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextSource {
    /// How many response keys above the entity object the ancestor object is
    /// (list indexes between them do not count): `1` for the object holding the
    /// field that returned the entity.
    pub levels_up: usize,
    /// The object types setting the context there, compared with the
    /// ancestor's `__typename` (the planner selects it); empty when every
    /// object possible there sets it.
    pub type_conditions: Vec<String>,
    /// Read on the ancestor: one field per level (inline fragments choose by
    /// `__typename`); the value is that of the innermost field, a list where a
    /// list is met on the way. The response keys are those the planner selected
    /// the fields under on the ancestor.
    pub selection: Vec<Selection>,
}

/// Entity fetches to one subgraph that are ready at the same step, sent as one
/// query whose root selects one aliased `_entities` field per part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchFetchNode {
    pub subgraph: String,
    /// `query Name($representations0:[_Any!]!,$representations1:[_Any!]!,$v:T){
    /// _0:_entities(representations:$representations0){...}
    /// _1:_entities(representations:$representations1){...}}`.
    pub operation: String,
    pub operation_name: Option<String>,
    /// Client variables used by any part; only these are forwarded.
    pub variable_usages: Vec<String>,
    pub parts: Vec<BatchPart>,
    /// Definitions of those client variables (`$v:T=default`), for putting the
    /// operation together at run time when a part has `@fromContext` arguments;
    /// empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub client_definitions: Vec<String>,
}

/// One `_entities` selection of a [`BatchFetchNode`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchPart {
    /// The alias of this part's `_entities` field in the operation (`_0`, `_1`, ...).
    pub response_key: String,
    /// The operation variable holding this part's representations (never one of the
    /// client's variable names).
    pub representations_variable: String,
    /// Flatten paths (relative to any enclosing `Flatten`) whose objects this part
    /// fetches. Several when the same entity fetch is needed at several places: their
    /// representations are deduplicated together.
    pub paths: Vec<Vec<PathElement>>,
    /// `@skip`/`@include` variables that must all hold for this part to be sent (the
    /// conditions common to every part wrap the node as `Condition` nodes instead).
    pub conditions: Vec<VariableCondition>,
    /// As [`FetchNode::requires`].
    pub requires: Vec<Selection>,
    /// As [`FetchNode::input_rewrites`].
    pub input_rewrites: Vec<FetchRewrite>,
    /// As [`FetchNode::output_rewrites`].
    pub output_rewrites: Vec<FetchRewrite>,
    /// As [`FetchNode::context_arguments`]. A batch with such a part is put
    /// together at run time (`operation` is then only its one-set-of-values
    /// form): the part's objects get one aliased `_entities` per distinct set of
    /// values (`_1_0`, `_1_1`, ...), each with copies of the context variables.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub context_arguments: Vec<ContextArgument>,
    /// The selection inside the part's `_entities(...)`, when the batch is put
    /// together at run time (some part has `context_arguments`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub selection: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum PathElement {
    /// A response key.
    Key(String),
    /// Every element of the list at this point (printed `@`).
    Flatten,
    /// Only objects whose `__typename` is one of these (printed `|[A,B]`).
    TypeCondition(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum Selection {
    Field(FieldSelection),
    InlineFragment(InlineFragmentSelection),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldSelection {
    /// Response key in the data the representation is built from.
    pub response_key: String,
    /// Name under which the value goes into the representation (the field name).
    pub name: String,
    pub selections: Vec<Selection>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InlineFragmentSelection {
    pub type_condition: Option<String>,
    pub selections: Vec<Selection>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
pub enum FetchRewrite {
    /// Sets the value at `path` (a path of keys, with an optional leading type
    /// condition `... on T`) to `value`.
    ValueSetter {
        path: Vec<RewritePathElement>,
        value: serde_json::Value,
    },
    /// Renames the key at `path` to `rename_key_to`.
    KeyRenamer {
        path: Vec<RewritePathElement>,
        rename_key_to: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RewritePathElement {
    Key(String),
    TypeCondition(String),
}
