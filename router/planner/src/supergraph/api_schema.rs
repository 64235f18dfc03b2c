//! Deriving the API schema: the supergraph minus everything clients must not see.
//!
//! Removed: the types and directive definitions of every linked spec (join, link,
//! inaccessible, tag, ...), their directive applications, and every element marked
//! `@inaccessible` together with whatever refers to a removed type. The result is
//! validated again, so operations and introspection run against a real schema.
//!
//! Added: `@defer`, which the router executes (as Apollo Router adds it to the
//! API schema it serves), unless the supergraph defines a directive of that name.

use apollo_compiler::schema::{ExtendedType, InputValueDefinition};
use apollo_compiler::validation::Valid;
use std::collections::HashSet;

use apollo_compiler::{Name, Node, Schema, ast};

use super::SupergraphError;
use super::link::Links;

pub(super) fn derive(
    supergraph: &Valid<Schema>,
    links: &Links,
) -> Result<Valid<Schema>, SupergraphError> {
    let mut schema = supergraph.clone().into_inner();
    let spec_directive = |name: &str| links.links.iter().any(|l| l.owns_directive(name));
    let inaccessible = links
        .find("inaccessible")
        .map(|l| l.directive_name("inaccessible"));
    let hidden = |directives: &[&Name]| {
        inaccessible
            .as_deref()
            .is_some_and(|i| directives.iter().any(|d| d.as_str() == i))
    };

    schema
        .directive_definitions
        .retain(|name, _| !spec_directive(name));
    schema.types.retain(|name, ty| {
        let names: Vec<_> = ty.directives().iter().map(|d| &d.name).collect();
        !links.links.iter().any(|l| l.owns_type(name)) && !hidden(&names)
    });
    let type_names: HashSet<Name> = schema.types.keys().cloned().collect();
    let removed = |ty: &ast::Type, names: &HashSet<Name>| !names.contains(ty.inner_named_type());

    let clean_args = |args: &mut Vec<Node<InputValueDefinition>>| {
        args.retain(|a| {
            let names: Vec<_> = a.directives.iter().map(|d| &d.name).collect();
            !hidden(&names) && !removed(&a.ty, &type_names)
        });
        for arg in args.iter_mut() {
            arg.make_mut()
                .directives
                .0
                .retain(|d| !spec_directive(&d.name));
        }
    };

    for ty in schema.types.values_mut() {
        match ty {
            ExtendedType::Object(o) => {
                let o = o.make_mut();
                o.directives.0.retain(|d| !spec_directive(&d.name));
                o.implements_interfaces
                    .retain(|i| type_names.contains(&i.name));
                o.fields.retain(|_, f| {
                    let names: Vec<_> = f.directives.iter().map(|d| &d.name).collect();
                    !hidden(&names) && !removed(&f.ty, &type_names)
                });
                for f in o.fields.values_mut() {
                    let f = f.node.make_mut();
                    f.directives.0.retain(|d| !spec_directive(&d.name));
                    clean_args(&mut f.arguments);
                }
            }
            ExtendedType::Interface(i) => {
                let i = i.make_mut();
                i.directives.0.retain(|d| !spec_directive(&d.name));
                i.implements_interfaces
                    .retain(|n| type_names.contains(&n.name));
                i.fields.retain(|_, f| {
                    let names: Vec<_> = f.directives.iter().map(|d| &d.name).collect();
                    !hidden(&names) && !removed(&f.ty, &type_names)
                });
                for f in i.fields.values_mut() {
                    let f = f.node.make_mut();
                    f.directives.0.retain(|d| !spec_directive(&d.name));
                    clean_args(&mut f.arguments);
                }
            }
            ExtendedType::Union(u) => {
                let u = u.make_mut();
                u.directives.0.retain(|d| !spec_directive(&d.name));
                u.members.retain(|m| type_names.contains(&m.name));
            }
            ExtendedType::Enum(e) => {
                let e = e.make_mut();
                e.directives.0.retain(|d| !spec_directive(&d.name));
                e.values.retain(|_, v| {
                    let names: Vec<_> = v.directives.iter().map(|d| &d.name).collect();
                    !hidden(&names)
                });
                for v in e.values.values_mut() {
                    v.node
                        .make_mut()
                        .directives
                        .0
                        .retain(|d| !spec_directive(&d.name));
                }
            }
            ExtendedType::InputObject(input) => {
                let input = input.make_mut();
                input.directives.0.retain(|d| !spec_directive(&d.name));
                input.fields.retain(|_, f| {
                    let names: Vec<_> = f.directives.iter().map(|d| &d.name).collect();
                    !hidden(&names) && !removed(&f.ty, &type_names)
                });
                for f in input.fields.values_mut() {
                    f.node
                        .make_mut()
                        .directives
                        .0
                        .retain(|d| !spec_directive(&d.name));
                }
            }
            ExtendedType::Scalar(s) => {
                s.make_mut()
                    .directives
                    .0
                    .retain(|d| !spec_directive(&d.name));
            }
        }
    }
    add_defer(&mut schema);
    let definition = schema.schema_definition.make_mut();
    definition.directives.0.retain(|d| !spec_directive(&d.name));
    for root in [
        &mut definition.query,
        &mut definition.mutation,
        &mut definition.subscription,
    ] {
        if root.as_ref().is_some_and(|r| !type_names.contains(&r.name)) {
            *root = None;
        }
    }
    schema
        .validate()
        .map_err(|e| SupergraphError::ApiSchema(e.errors.to_string()))
}

/// `directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD |
/// INLINE_FRAGMENT`, so operations using it validate (with the spec's own rules:
/// unique labels, none on a mutation's root) and introspection shows it.
fn add_defer(schema: &mut Schema) {
    let name = Name::new_static_unchecked("defer");
    if schema.directive_definitions.contains_key(&name) {
        return;
    }
    let string = ast::Type::Named(Name::new_static_unchecked("String"));
    let boolean = ast::Type::NonNullNamed(Name::new_static_unchecked("Boolean"));
    let definition = ast::DirectiveDefinition {
        description: Some("Delivers the fragment's fields after the rest of the response, in a later part of an incremental (multipart) response.".into()),
        name: name.clone(),
        arguments: vec![
            Node::new(InputValueDefinition {
                description: Some("Names the part that delivers the fragment.".into()),
                name: Name::new_static_unchecked("label"),
                ty: Node::new(string),
                default_value: None,
                directives: Default::default(),
            }),
            Node::new(InputValueDefinition {
                description: Some("When false, the fragment is delivered with the rest.".into()),
                name: Name::new_static_unchecked("if"),
                ty: Node::new(boolean),
                default_value: Some(Node::new(ast::Value::Boolean(true))),
                directives: Default::default(),
            }),
        ],
        repeatable: false,
        locations: vec![
            ast::DirectiveLocation::FragmentSpread,
            ast::DirectiveLocation::InlineFragment,
        ],
    };
    schema
        .directive_definitions
        .insert(name, Node::new(definition));
}
