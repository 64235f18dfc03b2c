//! Reading the `join` spec (v0.2 to v0.5) into the model the planner searches:
//! which graph defines which type, with which keys, and resolves which field.

use std::collections::HashMap;

use apollo_compiler::ast::Value;
use apollo_compiler::executable::{FieldSet, SelectionSet};
use apollo_compiler::schema::{Component, Directive, ExtendedType};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node, Schema};

use super::link::{Link, Links};
use super::{GraphId, Subgraph, SupergraphError};

/// One `@key` of a type in a graph.
#[derive(Debug, Clone)]
pub struct Key {
    pub selection: SelectionSet,
    /// `false` for `@key(resolvable: false)`: the graph references the entity
    /// but can't be asked for it.
    pub resolvable: bool,
}

/// A type as one graph defines it (`@join__type`).
#[derive(Debug, Clone)]
pub struct TypeInGraph {
    pub graph: GraphId,
    pub keys: Vec<Key>,
    /// The graph sees this interface as an object type (`@interfaceObject`).
    pub interface_object: bool,
}

/// One `@join__field` of a field.
#[derive(Debug, Clone)]
pub struct FieldJoin {
    /// `None` for a bare `@join__field`: no graph resolves the field directly
    /// (an interface-object field copied onto an implementation).
    pub graph: Option<GraphId>,
    pub requires: Option<SelectionSet>,
    pub provides: Option<SelectionSet>,
    /// The field's type in that graph when it differs from the supergraph's.
    pub type_in_graph: Option<String>,
    pub external: bool,
    pub override_from: Option<String>,
    pub override_label: Option<String>,
    pub used_overridden: bool,
    /// Arguments the subgraph takes from an ancestor's `@context` through
    /// `@fromContext` (join v0.5 `contextArguments`). They are not in the
    /// supergraph's (nor the API schema's) field definition: the router
    /// passes them itself.
    pub context_arguments: Vec<ContextArgument>,
}

/// One entry of `@join__field(contextArguments:)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextArgument {
    /// The argument's name in the subgraph.
    pub name: String,
    /// Its type in the subgraph (`String`, `[ID!]`, ...).
    pub ty: String,
    /// The context, qualified by the subgraph that declares it
    /// (`subgraph__name`), as in the types' `@context(name:)`.
    pub context: String,
    /// The selection evaluated on the ancestor setting the context: ` { a { b } }`,
    /// or ` ... on A { x } ... on B { y }` when several types set it.
    pub selection: String,
}

pub(super) struct Model {
    pub graphs: Vec<Subgraph>,
    pub types: HashMap<Name, Vec<TypeInGraph>>,
    pub fields: HashMap<Name, HashMap<Name, Vec<FieldJoin>>>,
    pub implements: HashMap<Name, Vec<(GraphId, Name)>>,
    pub union_members: HashMap<Name, Vec<(GraphId, Name)>>,
    /// Per type (object, interface or union): the contexts it sets (`@context`).
    pub contexts: HashMap<Name, Vec<String>>,
}

struct Reader<'a> {
    schema: &'a Valid<Schema>,
    join: &'a Link,
    graph_ids: HashMap<Name, GraphId>,
}

pub(super) fn read(schema: &Valid<Schema>, links: &Links) -> Result<Model, SupergraphError> {
    let join = links.find("join").ok_or_else(|| {
        SupergraphError::Invalid("no @link to the join spec (https://specs.apollo.dev/join)".into())
    })?;
    if join.version.0 != 0 || !(2..=5).contains(&join.version.1) {
        return Err(SupergraphError::Unsupported(format!(
            "join spec v{}.{} (supported: v0.2 to v0.5)",
            join.version.0, join.version.1
        )));
    }
    let graphs = read_graphs(schema, join)?;
    let graph_ids = graphs
        .iter()
        .enumerate()
        .map(|(i, g)| (g.enum_value.clone(), i))
        .collect();
    let reader = Reader {
        schema,
        join,
        graph_ids,
    };
    let mut model = Model {
        graphs,
        types: HashMap::new(),
        fields: HashMap::new(),
        implements: HashMap::new(),
        union_members: HashMap::new(),
        contexts: HashMap::new(),
    };
    // The supergraph marks the types setting a context with the context spec's
    // `@context(name: "subgraph__name")`; `@join__context` is read the same way.
    let context_dirs: Vec<String> = links
        .find("context")
        .map(|l| l.directive_name("context"))
        .into_iter()
        .chain(std::iter::once(join.directive_name("context")))
        .collect();
    let type_dir = join.directive_name("type");
    let implements_dir = join.directive_name("implements");
    let member_dir = join.directive_name("unionMember");
    let field_dir = join.directive_name("field");
    for (name, ty) in &schema.types {
        if ty.is_built_in() {
            continue;
        }
        let mut in_graphs = Vec::new();
        for directive in ty.directives().get_all(&type_dir) {
            // One entry per graph: a type with several keys repeats `@join__type`.
            let entry = reader.type_in_graph(name, directive)?;
            match in_graphs
                .iter_mut()
                .find(|t: &&mut TypeInGraph| t.graph == entry.graph)
            {
                Some(existing) => {
                    existing.keys.extend(entry.keys);
                    existing.interface_object |= entry.interface_object;
                }
                None => in_graphs.push(entry),
            }
        }
        if !in_graphs.is_empty() {
            model.types.insert(name.clone(), in_graphs);
        }
        let contexts: Vec<String> = context_dirs
            .iter()
            .flat_map(|d| ty.directives().get_all(d))
            .filter_map(|d| string_arg(d, "name").map(str::to_string))
            .collect();
        if !contexts.is_empty() {
            model.contexts.insert(name.clone(), contexts);
        }
        let fields = match ty {
            ExtendedType::Object(o) => {
                let list = reader.graph_named_list(&o.directives, &implements_dir, "interface")?;
                if !list.is_empty() {
                    model.implements.insert(name.clone(), list);
                }
                Some(&o.fields)
            }
            ExtendedType::Interface(i) => {
                let list = reader.graph_named_list(&i.directives, &implements_dir, "interface")?;
                if !list.is_empty() {
                    model.implements.insert(name.clone(), list);
                }
                Some(&i.fields)
            }
            ExtendedType::Union(u) => {
                let list = reader.graph_named_list(&u.directives, &member_dir, "member")?;
                if !list.is_empty() {
                    model.union_members.insert(name.clone(), list);
                }
                None
            }
            _ => None,
        };
        for (field_name, field) in fields.into_iter().flatten() {
            let joins = field
                .directives
                .get_all(&field_dir)
                .map(|d| reader.field_join(name, field_name, field.ty.inner_named_type(), d))
                .collect::<Result<Vec<_>, _>>()?;
            if !joins.is_empty() {
                model
                    .fields
                    .entry(name.clone())
                    .or_default()
                    .insert(field_name.clone(), joins);
            }
        }
    }
    check_consistency(&model)?;
    Ok(model)
}

/// Rejects join directives that contradict each other: a field resolved by a
/// graph that doesn't define its parent type can never be planned correctly.
fn check_consistency(model: &Model) -> Result<(), SupergraphError> {
    for (ty, fields) in &model.fields {
        let Some(in_graphs) = model.types.get(ty) else {
            continue;
        };
        for (field, joins) in fields {
            for graph in joins.iter().filter_map(|j| j.graph) {
                if !in_graphs.iter().any(|t| t.graph == graph) {
                    return Err(SupergraphError::Invalid(format!(
                        "{ty}.{field} has @join__field(graph: {}) but {ty} has no @join__type for that graph",
                        model.graphs[graph].enum_value
                    )));
                }
            }
        }
    }
    Ok(())
}

fn read_graphs(schema: &Schema, join: &Link) -> Result<Vec<Subgraph>, SupergraphError> {
    let enum_name = join.type_name("Graph");
    let graph_dir = join.directive_name("graph");
    let Some(ExtendedType::Enum(graph_enum)) = schema.types.get(enum_name.as_str()) else {
        return Err(SupergraphError::Invalid(format!(
            "enum {enum_name} is missing"
        )));
    };
    let mut graphs = Vec::new();
    for (value, def) in &graph_enum.values {
        let directive = def.directives.get(&graph_dir).ok_or_else(|| {
            SupergraphError::Invalid(format!("{enum_name}.{value} has no @{graph_dir}"))
        })?;
        let arg = |name: &str| {
            directive
                .specified_argument_by_name(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| {
                    SupergraphError::Invalid(format!(
                        "@{graph_dir} on {enum_name}.{value} needs a `{name}` string"
                    ))
                })
        };
        graphs.push(Subgraph {
            enum_value: value.clone(),
            name: arg("name")?,
            url: arg("url")?,
        });
    }
    Ok(graphs)
}

impl Reader<'_> {
    fn graph(
        &self,
        directive: &Directive,
        required: bool,
    ) -> Result<Option<GraphId>, SupergraphError> {
        let Some(value) = directive.specified_argument_by_name("graph") else {
            if required {
                return Err(SupergraphError::Invalid(format!(
                    "@{} without a `graph` argument",
                    directive.name
                )));
            }
            return Ok(None);
        };
        let name = value.as_enum().ok_or_else(|| {
            SupergraphError::Invalid(format!(
                "@{}(graph: {value}): not an enum value",
                directive.name
            ))
        })?;
        self.graph_ids.get(name).copied().map(Some).ok_or_else(|| {
            SupergraphError::Invalid(format!(
                "@{}(graph: {name}) names a graph that {} does not declare",
                directive.name,
                self.join.type_name("Graph")
            ))
        })
    }

    fn field_set(
        &self,
        ty: &Name,
        fields: &str,
        what: &str,
    ) -> Result<SelectionSet, SupergraphError> {
        FieldSet::parse_and_validate(self.schema, ty.clone(), fields, "field_set.graphql")
            .map(|f| f.into_inner().selection_set)
            .map_err(|e| {
                SupergraphError::Invalid(format!(
                    "{what} \"{fields}\" is not a valid field set on {ty}: {}",
                    e.errors
                ))
            })
    }

    fn type_in_graph(
        &self,
        ty: &Name,
        directive: &Component<Directive>,
    ) -> Result<TypeInGraph, SupergraphError> {
        let graph = self.graph(directive, true)?.expect("graph is required");
        let mut keys = Vec::new();
        if let Some(fields) = string_arg(directive, "key") {
            keys.push(Key {
                selection: self.field_set(ty, fields, &format!("@key on {ty}"))?,
                resolvable: bool_arg(directive, "resolvable").unwrap_or(true),
            });
        }
        Ok(TypeInGraph {
            graph,
            keys,
            interface_object: bool_arg(directive, "isInterfaceObject").unwrap_or(false),
        })
    }

    fn graph_named_list(
        &self,
        directives: &apollo_compiler::schema::DirectiveList,
        name: &str,
        arg: &str,
    ) -> Result<Vec<(GraphId, Name)>, SupergraphError> {
        let mut list = Vec::new();
        for directive in directives.get_all(name) {
            let graph = self.graph(directive, true)?.expect("graph is required");
            let target = string_arg(directive, arg).ok_or_else(|| {
                SupergraphError::Invalid(format!("@{name} without a `{arg}` string"))
            })?;
            let target = Name::new(target).map_err(|_| {
                SupergraphError::Invalid(format!("@{name}({arg}: \"{target}\"): not a type name"))
            })?;
            if !self.schema.types.contains_key(&target) {
                return Err(SupergraphError::Invalid(format!(
                    "@{name}({arg}: \"{target}\") names an unknown type"
                )));
            }
            list.push((graph, target));
        }
        Ok(list)
    }

    fn field_join(
        &self,
        parent: &Name,
        field: &Name,
        field_type: &Name,
        directive: &Node<Directive>,
    ) -> Result<FieldJoin, SupergraphError> {
        let graph = self.graph(directive, false)?;
        let requires = string_arg(directive, "requires")
            .map(|f| self.field_set(parent, f, &format!("@requires on {parent}.{field}")))
            .transpose()?;
        let provides = string_arg(directive, "provides")
            .map(|f| self.field_set(field_type, f, &format!("@provides on {parent}.{field}")))
            .transpose()?;
        Ok(FieldJoin {
            graph,
            requires,
            provides,
            type_in_graph: string_arg(directive, "type").map(str::to_string),
            external: bool_arg(directive, "external").unwrap_or(false),
            override_from: string_arg(directive, "override").map(str::to_string),
            override_label: string_arg(directive, "overrideLabel").map(str::to_string),
            used_overridden: bool_arg(directive, "usedOverridden").unwrap_or(false),
            context_arguments: context_arguments(directive)?,
        })
    }
}

fn string_arg<'a>(directive: &'a Directive, name: &str) -> Option<&'a str> {
    directive
        .specified_argument_by_name(name)
        .and_then(|v| v.as_str())
}

/// Every entry of `contextArguments: [{context, name, type, selection}]`.
fn context_arguments(directive: &Directive) -> Result<Vec<ContextArgument>, SupergraphError> {
    let Some(value) = directive.specified_argument_by_name("contextArguments") else {
        return Ok(Vec::new());
    };
    let entries = match value.as_ref() {
        Value::List(list) => list.iter().collect::<Vec<_>>(),
        _ => vec![value],
    };
    entries
        .into_iter()
        .map(|entry| {
            let Value::Object(fields) = entry.as_ref() else {
                return Err(SupergraphError::Invalid(
                    "a contextArguments entry is not an object".into(),
                ));
            };
            let get = |key: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k == key)
                    .and_then(|(_, v)| v.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| {
                        SupergraphError::Invalid(format!(
                            "a contextArguments entry has no `{key}` string"
                        ))
                    })
            };
            Ok(ContextArgument {
                name: get("name")?,
                ty: get("type")?,
                context: get("context")?,
                selection: get("selection")?,
            })
        })
        .collect()
}

fn bool_arg(directive: &Directive, name: &str) -> Option<bool> {
    directive
        .specified_argument_by_name(name)
        .and_then(|v| match v.as_ref() {
            Value::Boolean(b) => Some(*b),
            _ => None,
        })
}
