//! Checks of one subgraph on its own: type references, `@key`/`@requires`/`@provides`
//! field sets, `@override` and unused `@external`s. Also applies the Federation 1
//! reading of `@external` (key fields of extensions are owned; unused externals vanish).

use crate::error::{Diagnostics, ErrorCode};
use crate::fieldset::{Selected, resolve};
use crate::model::{Coordinate, Kind, Subgraph};
use std::collections::HashSet;

const BUILT_IN_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

/// Validates `subgraph`, recording errors, and fills its key/requires/provides
/// coordinates. Each phase is a function of its own; the order matters: keys
/// first (Federation 1 extension keys stop being `@external`), then the field
/// sets of `@requires`/`@provides`, then the `@external`s none of them uses.
pub(crate) fn validate_subgraph(subgraph: &mut Subgraph, diags: &mut Diagnostics) {
    check_type_references(subgraph, diags);
    if !subgraph.fed2 {
        // Federation 1 had no entity interfaces; Apollo's upgrade drops keys on interfaces.
        for ty in subgraph.types.values_mut() {
            if ty.kind == Kind::Interface {
                ty.keys.clear();
            }
        }
    }
    check_interface_keys(subgraph, diags);
    let keys = check_keys(subgraph, diags);
    if !subgraph.fed2 {
        own_extension_keys(subgraph, &keys.of_extensions);
    }
    let (requires, provides) = check_requires_and_provides(subgraph, diags);
    check_overrides(subgraph, diags);
    let used =
        |c: &Coordinate| keys.all.contains(c) || requires.contains(c) || provides.contains(c);
    handle_unused_externals(subgraph, &used, diags);
    subgraph.key_coordinates = keys.all;
    subgraph.requires_coordinates = requires;
    subgraph.provides_coordinates = provides;
}

/// The fields `@key`s select: all of them, and those of keys on type extensions
/// (or types this subgraph does not define).
struct KeyFields {
    all: HashSet<Coordinate>,
    of_extensions: HashSet<Coordinate>,
}

/// Checks every `@key` field set: it resolves, selects no field with
/// arguments, and no interface or union.
fn check_keys(subgraph: &Subgraph, diags: &mut Diagnostics) -> KeyFields {
    let sg = &subgraph.name;
    let mut keys = KeyFields {
        all: HashSet::new(),
        of_extensions: HashSet::new(),
    };
    for ty in subgraph.types.values() {
        for key in &ty.keys {
            let at = format!(
                "[{sg}] On type \"{}\", for @key(fields: \"{}\"):",
                ty.name, key.fields
            );
            let selected = match resolve(subgraph, &ty.name, &key.fields) {
                Ok(selected) => selected,
                Err(errors) => {
                    for error in errors {
                        diags.error(ErrorCode::KEY_INVALID_FIELDS, format!("{at} {error}"));
                    }
                    continue;
                }
            };
            for s in &selected {
                let coordinate = coordinate(s);
                if !s.field.args.is_empty() {
                    diags.error(
                        ErrorCode::KEY_FIELDS_HAS_ARGS,
                        format!(
                            "{at} field \"{}.{}\" includes arguments",
                            coordinate.0, coordinate.1
                        ),
                    );
                }
                let inner = s.field.ty.inner_named_type().as_str();
                if let Some(kind) = subgraph.types.get(inner).map(|t| t.merged_kind())
                    && matches!(kind, Kind::Interface | Kind::Union)
                {
                    diags.error(
                        ErrorCode::KEY_FIELDS_SELECT_INVALID_TYPE,
                        format!(
                            "{at} field \"{}.{}\" is a {} type which is not allowed in @key",
                            coordinate.0,
                            coordinate.1,
                            if kind == Kind::Union {
                                "Union"
                            } else {
                                "Interface"
                            }
                        ),
                    );
                }
                if !ty.defined || ty.extends {
                    keys.of_extensions.insert(coordinate.clone());
                }
                keys.all.insert(coordinate);
            }
        }
    }
    keys
}

/// Federation 1 had to mark key fields of extensions `@external`; they are owned.
fn own_extension_keys(subgraph: &mut Subgraph, coordinates: &HashSet<Coordinate>) {
    for (type_name, field_name) in coordinates {
        if let Some(field) = subgraph
            .types
            .get_mut(type_name)
            .and_then(|t| t.fields.get_mut(field_name))
        {
            field.external = false;
        }
    }
}

/// Which directive a field set belongs to: its name in messages and its codes.
struct FieldSetDirective {
    name: &'static str,
    invalid: ErrorCode,
    missing_external: ErrorCode,
}

const REQUIRES: FieldSetDirective = FieldSetDirective {
    name: "requires",
    invalid: ErrorCode::REQUIRES_INVALID_FIELDS,
    missing_external: ErrorCode::REQUIRES_FIELDS_MISSING_EXTERNAL,
};

const PROVIDES: FieldSetDirective = FieldSetDirective {
    name: "provides",
    invalid: ErrorCode::PROVIDES_INVALID_FIELDS,
    missing_external: ErrorCode::PROVIDES_FIELDS_MISSING_EXTERNAL,
};

/// Checks every `@requires` and `@provides`; returns the fields each selects.
fn check_requires_and_provides(
    subgraph: &Subgraph,
    diags: &mut Diagnostics,
) -> (HashSet<Coordinate>, HashSet<Coordinate>) {
    let sg = &subgraph.name;
    let mut requires_coordinates = HashSet::new();
    let mut provides_coordinates = HashSet::new();
    for ty in subgraph.types.values() {
        for field in ty.fields.values() {
            let coordinate = format!("{}.{}", ty.name, field.name);
            if let Some(requires) = &field.requires {
                let at = format!(
                    "[{sg}] On field \"{coordinate}\", for @requires(fields: \"{requires}\"):"
                );
                let selected = check_field_set(subgraph, &ty.name, requires, &REQUIRES, &at, diags);
                requires_coordinates.extend(selected);
            }
            if let Some(provides) = &field.provides {
                let at = format!(
                    "[{sg}] On field \"{coordinate}\", for @provides(fields: \"{provides}\"):"
                );
                let target = field.ty.inner_named_type().as_str();
                let composite = subgraph.types.get(target).is_some_and(|t| {
                    matches!(t.kind, Kind::Object | Kind::Interface | Kind::Union)
                });
                if !composite {
                    diags.error(
                        ErrorCode::PROVIDES_ON_NON_OBJECT_FIELD,
                        format!("{at} field \"{coordinate}\" has type \"{}\" which is not a Composite Type", field.ty),
                    );
                    continue;
                }
                let selected = check_field_set(subgraph, target, provides, &PROVIDES, &at, diags);
                provides_coordinates.extend(selected);
            }
        }
    }
    (requires_coordinates, provides_coordinates)
}

/// Checks one `@requires`/`@provides` field set on `parent`: it resolves, and
/// (Federation 2) each leaf it selects is `@external`. Returns the coordinates
/// of the fields it selects.
fn check_field_set(
    subgraph: &Subgraph,
    parent: &str,
    fields: &str,
    directive: &FieldSetDirective,
    at: &str,
    diags: &mut Diagnostics,
) -> Vec<Coordinate> {
    let selected = match resolve(subgraph, parent, fields) {
        Ok(selected) => selected,
        Err(errors) => {
            for error in errors {
                diags.error(directive.invalid, format!("{at} {error}"));
            }
            return Vec::new();
        }
    };
    for s in &selected {
        if subgraph.fed2 && s.leaf && !s.under_external && !s.field.external {
            diags.error(
                directive.missing_external,
                format!(
                    "{at} field \"{}.{}\" should not be part of a @{} since it is already provided by this subgraph (it is not marked @external)",
                    s.parent, s.field.name, directive.name
                ),
            );
        }
    }
    selected.iter().map(coordinate).collect()
}

/// `@override(from:)` names another subgraph, on a field that is not `@external`.
fn check_overrides(subgraph: &Subgraph, diags: &mut Diagnostics) {
    let sg = &subgraph.name;
    for ty in subgraph.types.values() {
        for field in ty.fields.values() {
            let Some(from) = &field.override_from else {
                continue;
            };
            let coordinate = format!("{}.{}", ty.name, field.name);
            if from == sg {
                diags.error(
                    ErrorCode::OVERRIDE_FROM_SELF_ERROR,
                    format!("[{sg}] Source and destination subgraphs \"{from}\" are the same for overridden field \"{coordinate}\""),
                );
            }
            if field.external {
                diags.error(
                    ErrorCode::OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
                    format!("[{sg}] @override cannot be used on field \"{coordinate}\" since it is also marked @external"),
                );
            }
        }
    }
}

/// An `@external` field that no key, `@requires` or `@provides` selects and no
/// interface asks for is an error in Federation 2; Federation 1 tolerated them
/// (they declare nothing this subgraph resolves), so they are dropped there.
fn handle_unused_externals(
    subgraph: &mut Subgraph,
    used: &dyn Fn(&Coordinate) -> bool,
    diags: &mut Diagnostics,
) {
    let mut unused = Vec::new();
    for ty in subgraph.types.values() {
        for field in ty.fields.values().filter(|f| f.external) {
            let c = (ty.name.clone(), field.name.clone());
            let satisfies_interface = ty.implements.iter().any(|i| {
                subgraph
                    .types
                    .get(i)
                    .is_some_and(|itf| itf.fields.contains_key(&field.name))
            });
            if !used(&c) && !satisfies_interface {
                unused.push(c);
            }
        }
    }
    let sg = subgraph.name.clone();
    for (type_name, field_name) in unused {
        if subgraph.fed2 {
            diags.error(
                ErrorCode::EXTERNAL_UNUSED,
                format!(
                    "[{sg}] Field \"{type_name}.{field_name}\" is marked @external but is not used in any federation directive (@key, @provides, @requires) or to satisfy an interface; the field declaration has no use and should be removed (or the field should not be @external)."
                ),
            );
        } else if let Some(ty) = subgraph.types.get_mut(&type_name) {
            ty.fields.shift_remove(&field_name);
        }
    }
}

fn coordinate(selected: &Selected<'_>) -> Coordinate {
    (selected.parent.clone(), selected.field.name.clone())
}

/// Every type a subgraph references must be defined in it (or be a built-in scalar).
fn check_type_references(subgraph: &Subgraph, diags: &mut Diagnostics) {
    let known = |name: &str| BUILT_IN_SCALARS.contains(&name) || subgraph.types.contains_key(name);
    let mut unknown: Vec<(String, String)> = Vec::new();
    let mut check = |name: &str, at: String| {
        if !known(name) {
            unknown.push((name.to_string(), at));
        }
    };
    for ty in subgraph.types.values() {
        for interface in &ty.implements {
            check(interface, ty.name.clone());
        }
        for member in &ty.members {
            check(member, ty.name.clone());
        }
        for field in ty.fields.values() {
            check(
                field.ty.inner_named_type(),
                format!("{}.{}", ty.name, field.name),
            );
            for arg in field.args.values() {
                check(
                    arg.ty.inner_named_type(),
                    format!("{}.{}({}:)", ty.name, field.name, arg.name),
                );
            }
        }
        for field in ty.input_fields.values() {
            check(
                field.ty.inner_named_type(),
                format!("{}.{}", ty.name, field.name),
            );
        }
    }
    for (name, at) in unknown {
        diags.error(
            ErrorCode::INVALID_GRAPHQL,
            format!(
                "[{}] Unknown type \"{name}\" referenced by \"{at}\"",
                subgraph.name
            ),
        );
    }
}

/// An entity interface's keys must be keys of each of its implementations in that
/// subgraph (an `_entities` call for the interface lands on one of them), and an
/// `@interfaceObject` must be an entity.
fn check_interface_keys(subgraph: &Subgraph, diags: &mut Diagnostics) {
    let normalise = |fields: &str| fields.split_whitespace().collect::<Vec<_>>().join(" ");
    for interface in subgraph
        .types
        .values()
        .filter(|t| t.kind == Kind::Interface)
    {
        for key in &interface.keys {
            let missing: Vec<String> = subgraph
                .types
                .values()
                .filter(|t| t.kind == Kind::Object && t.implements.contains(&interface.name))
                .filter(|t| {
                    !t.keys
                        .iter()
                        .any(|k| normalise(&k.fields) == normalise(&key.fields))
                })
                .map(|t| format!("\"{}\"", t.name))
                .collect();
            if !missing.is_empty() {
                diags.error(
                    ErrorCode::INTERFACE_KEY_NOT_ON_IMPLEMENTATION,
                    format!(
                        "[{}] Key @key(fields: \"{}\") on interface type \"{}\" should be resolvable on all implementation types, but these implementation types do not have that @key: {}",
                        subgraph.name,
                        key.fields,
                        interface.name,
                        missing.join(", ")
                    ),
                );
            }
        }
    }
    for ty in subgraph
        .types
        .values()
        .filter(|t| t.interface_object && t.keys.is_empty())
    {
        diags.error(
            ErrorCode::INTERFACE_OBJECT_USAGE_ERROR,
            format!(
                "[{}] The @interfaceObject directive can only be applied to entity types but type \"{}\" has no @key in this subgraph.",
                subgraph.name, ty.name
            ),
        );
    }
}
