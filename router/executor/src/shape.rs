//! The final pass: building the client's response from the merged fetch results and
//! the client operation.
//!
//! Fetched data is keyed by the client's response keys but also carries what the
//! planner added (keys, `__typename`, required fields) and may hold values the API
//! schema does not allow. This pass walks the operation (CollectFields of the spec,
//! with `@skip`/`@include` and fragment type conditions), keeps only the selected
//! fields in selection order, answers `__typename`, checks leaf values against their
//! types and applies null propagation. It consumes the merged tree and writes the
//! response JSON as it goes, with no second tree: where null propagation nulls an
//! object or list, what was written of it is cut off and `null` written instead.

use apollo_compiler::ast::{self, Type};
use apollo_compiler::executable::{DirectiveList, Field, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{ExecutableDocument, Schema};
use std::collections::HashMap;
use std::rc::Rc;

use indexmap::IndexMap;
use serde_json::Map;

use crate::error::{GraphQLError, PathSegment};
use crate::fetch_errors::is_covered;
use crate::json_writer::{write_str, write_value};
use crate::path::{PathRef, owned_path};
use crate::request::PreparedOperation;
use crate::value::{Object, Str, Value};

type IntoIter = std::vec::IntoIter<(Str, Value)>;

pub(crate) struct Shaper<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) document: &'a ExecutableDocument,
    pub(crate) variables: &'a Map<String, serde_json::Value>,
    /// Errors so far (fetch errors first); shaping appends its own.
    pub(crate) errors: Vec<GraphQLError>,
    pub(crate) covered: &'a [Vec<PathSegment>],
    /// Root `__schema` / `__type` values, answered locally by introspection.
    pub(crate) introspection: Option<Object>,
    /// Entries of the objects being shaped that were read past (see `take_entry`);
    /// each object uses the part above the length it found on entry.
    pub(crate) stash: Vec<(Str, Value)>,
    /// Where completion is, borrowing response keys from the document.
    pub(crate) path: Vec<PathRef<'a>>,
    /// Every grouping computed so far in this response (see `grouped_fields`).
    pub(crate) groupings: Groupings<'a>,
    /// The response `data` written so far.
    pub(crate) out: Vec<u8>,
    /// Incremental delivery: fragments with an active `@defer` are left out
    /// (their own parts deliver them).
    pub(crate) skip_active_defers: bool,
    /// Where the shaped value sits in the whole response (a deferred
    /// fragment's object), put before the paths of errors.
    pub(crate) prefix: Vec<PathSegment>,
}

/// Groupings by the identity of the `fields` they were computed below (the address
/// and length of a slice inside a grouping that this map, or `shape_root`, keeps
/// alive, so the address is never reused) and then by runtime type. A single
/// object below each element of a list (a review's `product`) would otherwise
/// collect its fields again for every element.
pub(crate) type Groupings<'a> = HashMap<(usize, usize), FieldsCache<'a>>;

/// Selected fields grouped by response key, in selection order.
pub(crate) type Grouped<'a> = IndexMap<&'a str, Group<'a>>;

/// The fields of one response key, with the schema type they return looked up
/// once per grouping rather than once per value.
#[derive(Default)]
pub(crate) struct Group<'a> {
    fields: Vec<&'a Field>,
    named_type: Option<&'a ExtendedType>,
}

/// Groupings already computed for one list's elements, by runtime type.
type FieldsCache<'a> = Vec<(&'a str, Rc<Grouped<'a>>)>;

impl<'a> Shaper<'a> {
    /// A shaper of `operation`'s response, writing into `out`, starting from
    /// the run's `errors` and the root `introspection` answers.
    pub(crate) fn new(
        schema: &'a Schema,
        operation: &'a PreparedOperation<'_>,
        errors: Vec<GraphQLError>,
        covered: &'a [Vec<PathSegment>],
        introspection: Option<Object>,
        out: Vec<u8>,
    ) -> Self {
        Shaper {
            schema,
            document: operation.document,
            variables: &operation.variables,
            errors,
            covered,
            introspection,
            stash: Vec::new(),
            path: Vec::new(),
            groupings: Default::default(),
            out,
            skip_active_defers: false,
            prefix: Vec::new(),
        }
    }

    /// For incremental delivery: fragments with an active `@defer` are left
    /// out, and what is shaped sits at `prefix` in the whole response.
    pub(crate) fn incremental(mut self, prefix: Vec<PathSegment>) -> Self {
        self.skip_active_defers = true;
        self.prefix = prefix;
        self
    }

    /// Shapes the whole response data into `out`; `null` when null propagation
    /// reached the root.
    pub(crate) fn shape_root(
        &mut self,
        root_type: &str,
        selection_set: &'a SelectionSet,
        data: Value,
    ) {
        let source = match data {
            Value::Object(source) => source,
            _ => Object::new(),
        };
        let mut grouped = Grouped::new();
        self.collect_fields(root_type, selection_set, &mut grouped, &mut Vec::new());
        let start = self.out.len();
        if self
            .complete_object(root_type, &grouped, source, true)
            .is_err()
        {
            self.write_null_from(start);
        }
        // Keys into `grouped` must not outlive it.
        self.groupings.clear();
    }

    /// Shapes the fields `selection_set` selects on `object` (of type
    /// `object_type`) into `out`, as an object below the root would be (a
    /// deferred fragment's data); `null` when null propagation reached it.
    pub(crate) fn shape_object(
        &mut self,
        object_type: &str,
        selection_set: &'a SelectionSet,
        object: Object,
    ) {
        let mut grouped = Grouped::new();
        self.collect_fields(object_type, selection_set, &mut grouped, &mut Vec::new());
        let start = self.out.len();
        if self
            .complete_object(object_type, &grouped, object, false)
            .is_err()
        {
            self.write_null_from(start);
        }
        self.groupings.clear();
    }

    /// Replaces what was written from `start` on with `null`; returns false (no
    /// value), for the callers' convenience.
    fn write_null_from(&mut self, start: usize) -> bool {
        self.out.truncate(start);
        self.out.extend_from_slice(b"null");
        false
    }

    fn write_null(&mut self) -> bool {
        self.out.extend_from_slice(b"null");
        false
    }

    fn complete_object(
        &mut self,
        object_type: &str,
        grouped: &Grouped<'a>,
        source: Object,
        root: bool,
    ) -> Result<(), NullPropagation> {
        let base = self.stash.len();
        let mut entries = source.into_iter();
        let result = self.complete_fields(object_type, grouped, &mut entries, base, root);
        self.stash.truncate(base);
        result
    }

    fn complete_fields(
        &mut self,
        object_type: &str,
        grouped: &Grouped<'a>,
        entries: &mut IntoIter,
        base: usize,
        root: bool,
    ) -> Result<(), NullPropagation> {
        self.out.push(b'{');
        for (index, (key, group)) in grouped.iter().enumerate() {
            if index > 0 {
                self.out.push(b',');
            }
            write_str(&mut self.out, key);
            self.out.push(b':');
            let field = group.fields[0];
            match field.name.as_str() {
                "__typename" if self.schema.get_object(object_type).is_none() => {
                    // Only reachable for an @interfaceObject value (see complete_named).
                    self.path.push(PathRef::Key(key));
                    self.error(format!(
                        "Cannot resolve __typename: the concrete type of this {object_type} is unknown"
                    ));
                    self.path.pop();
                    return Err(NullPropagation);
                }
                "__typename" => write_str(&mut self.out, object_type),
                "__schema" | "__type" if root => {
                    let value = self
                        .introspection
                        .as_mut()
                        .and_then(|introspection| introspection.remove(key))
                        .unwrap_or(Value::Null);
                    write_value(&mut self.out, &value);
                }
                _ => {
                    let value = self.take_entry(entries, base, key);
                    self.path.push(PathRef::Key(key));
                    let completed =
                        self.complete_value(field.ty(), group, value, object_type, &mut Vec::new());
                    self.path.pop();
                    completed?;
                }
            }
        }
        self.out.push(b'}');
        Ok(())
    }

    /// The entry for `key` from an object being shaped. Fetched objects usually hold
    /// the selected keys in selection order (with planner-added keys in between), so
    /// entries are read in order and compared, without hashing; entries passed over
    /// wait in `stash[base..]` in case a later key wants them.
    fn take_entry(&mut self, entries: &mut IntoIter, base: usize, key: &str) -> Value {
        if let Some(position) = self.stash[base..]
            .iter()
            .position(|(name, _)| &**name == key)
        {
            return self.stash.swap_remove(base + position).1;
        }
        for (name, value) in entries.by_ref() {
            if &*name == key {
                return value;
            }
            self.stash.push((name, value));
        }
        Value::Null
    }

    /// The fields selected on an object of `object_type` below `fields`. Within one
    /// list every element shares `fields`, so the grouping is computed once per
    /// runtime type and reused through `cache`.
    fn grouped_fields(
        &mut self,
        object_type: &'a str,
        fields: &[&'a Field],
        cache: &mut FieldsCache<'a>,
    ) -> Rc<Grouped<'a>> {
        if let Some((_, grouped)) = cache.iter().find(|(name, _)| *name == object_type) {
            return Rc::clone(grouped);
        }
        let identity = (fields.as_ptr() as usize, fields.len());
        if let Some((_, grouped)) = self
            .groupings
            .get(&identity)
            .and_then(|known| known.iter().find(|(name, _)| *name == object_type))
        {
            let grouped = Rc::clone(grouped);
            cache.push((object_type, Rc::clone(&grouped)));
            return grouped;
        }
        let mut grouped = Grouped::new();
        let mut visited = Vec::new();
        for field in fields {
            self.collect_fields(
                object_type,
                &field.selection_set,
                &mut grouped,
                &mut visited,
            );
        }
        let grouped = Rc::new(grouped);
        cache.push((object_type, Rc::clone(&grouped)));
        self.groupings
            .entry(identity)
            .or_default()
            .push((object_type, Rc::clone(&grouped)));
        grouped
    }

    /// CollectFields: groups the selected fields by response key in selection order.
    fn collect_fields(
        &self,
        object_type: &str,
        set: &'a SelectionSet,
        grouped: &mut Grouped<'a>,
        visited: &mut Vec<&'a str>,
    ) {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    if self.included(&field.directives) {
                        let group = grouped.entry(field.response_key().as_str()).or_default();
                        if group.fields.is_empty() {
                            group.named_type = self.schema.types.get(field.ty().inner_named_type());
                        }
                        group.fields.push(field);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name.as_str();
                    if !self.included(&spread.directives)
                        || self.deferred(&spread.directives)
                        || visited.contains(&name)
                    {
                        continue;
                    }
                    visited.push(name);
                    if let Some(fragment) = self.document.fragments.get(name)
                        && self.applies(fragment.type_condition(), object_type)
                    {
                        self.collect_fields(object_type, &fragment.selection_set, grouped, visited);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let applies = inline
                        .type_condition
                        .as_ref()
                        .is_none_or(|condition| self.applies(condition, object_type));
                    if applies
                        && self.included(&inline.directives)
                        && !self.deferred(&inline.directives)
                    {
                        self.collect_fields(object_type, &inline.selection_set, grouped, visited);
                    }
                }
            }
        }
    }

    fn applies(&self, condition: &str, object_type: &str) -> bool {
        condition == object_type || self.schema.is_subtype(condition, object_type)
    }

    /// Whether a fragment is left for a deferred part: incremental delivery,
    /// and an active `@defer` on it.
    fn deferred(&self, directives: &DirectiveList) -> bool {
        self.skip_active_defers && crate::incremental::defer_active(directives, self.variables)
    }

    /// `@skip(if:)` / `@include(if:)` with literal or (coerced) variable arguments.
    fn included(&self, directives: &DirectiveList) -> bool {
        if directives.is_empty() {
            return true;
        }
        let condition = |name: &str| {
            directives
                .get(name)
                .and_then(|directive| directive.specified_argument_by_name("if"))
                .map(|value| match value.as_ref() {
                    ast::Value::Boolean(value) => *value,
                    ast::Value::Variable(variable) => self
                        .variables
                        .get(variable.as_str())
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(false),
                    _ => false,
                })
        };
        condition("skip") != Some(true) && condition("include") != Some(false)
    }

    fn complete_value(
        &mut self,
        ty: &Type,
        group: &Group<'a>,
        value: Value,
        parent: &str,
        cache: &mut FieldsCache<'a>,
    ) -> Result<(), NullPropagation> {
        let written = match ty {
            Type::Named(name) => {
                self.complete_named(name, group, value, parent, cache);
                return Ok(());
            }
            Type::List(item) => {
                self.complete_list(item, group, value, parent);
                return Ok(());
            }
            Type::NonNullNamed(name) => self.complete_named(name, group, value, parent, cache),
            Type::NonNullList(item) => self.complete_list(item, group, value, parent),
        };
        if written {
            return Ok(());
        }
        if !is_covered(&self.errors, self.covered, &self.owned_path()) {
            let field = &group.fields[0].name;
            let message = if matches!(self.path.last(), Some(PathRef::Index(_))) {
                format!("Cannot return null for non-nullable list item of field {parent}.{field}")
            } else {
                format!("Cannot return null for non-nullable field {parent}.{field}")
            };
            self.error(message);
        }
        Err(NullPropagation)
    }

    /// Writes the list, or `null`; returns whether it wrote a list.
    fn complete_list(
        &mut self,
        item_type: &Type,
        group: &Group<'a>,
        value: Value,
        parent: &str,
    ) -> bool {
        let items = match value {
            Value::Null => return self.write_null(),
            Value::Array(items) => items,
            other => {
                self.invalid(&group.fields, parent, "a list", &other);
                return self.write_null();
            }
        };
        let start = self.out.len();
        self.out.push(b'[');
        let mut cache = FieldsCache::new();
        for (index, item) in items.into_iter().enumerate() {
            if index > 0 {
                self.out.push(b',');
            }
            self.path.push(PathRef::Index(index));
            let completed = self.complete_value(item_type, group, item, parent, &mut cache);
            self.path.pop();
            if completed.is_err() {
                return self.write_null_from(start);
            }
        }
        self.out.push(b']');
        true
    }

    /// Writes the value, or `null`; returns whether it wrote a value.
    fn complete_named(
        &mut self,
        type_name: &str,
        group: &Group<'a>,
        value: Value,
        parent: &str,
        cache: &mut FieldsCache<'a>,
    ) -> bool {
        if value.is_null() {
            return self.write_null();
        }
        let schema = self.schema;
        let fields = group.fields.as_slice();
        match group.named_type {
            Some(ExtendedType::Scalar(_)) => {
                if scalar_shape_ok(type_name, &value) {
                    write_value(&mut self.out, &value);
                    true
                } else {
                    self.invalid(fields, parent, type_name, &value);
                    self.write_null()
                }
            }
            Some(ExtendedType::Enum(enum_type)) => match value.as_str() {
                Some(name) if enum_type.values.contains_key(name) => {
                    write_str(&mut self.out, name);
                    true
                }
                _ => {
                    let field = &fields[0].name;
                    self.error(format!(
                        "Invalid value {value} for enum {type_name} at field {parent}.{field}"
                    ));
                    self.write_null()
                }
            },
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                let Value::Object(object) = value else {
                    self.invalid(fields, parent, "an object", &value);
                    return self.write_null();
                };
                // Borrowed from the schema: no allocation per object.
                let runtime_type = if let Some(name) = object_type_name(schema, type_name) {
                    name
                } else {
                    let runtime = object.get("__typename").and_then(Value::as_str);
                    let concrete = runtime
                        .and_then(|runtime| object_type_name(schema, runtime))
                        .filter(|runtime| schema.is_subtype(type_name, runtime));
                    // The interface's own name, as an @interfaceObject subgraph
                    // reports it, when no owner was asked for the concrete type:
                    // fields of the interface itself can still be shaped; a
                    // `__typename` or a fragment on an implementation cannot.
                    let interface = || {
                        runtime
                            .filter(|runtime| *runtime == type_name)
                            .and_then(|_| schema.types.get_key_value(type_name))
                            .filter(|(_, ty)| matches!(ty, ExtendedType::Interface(_)))
                            .map(|(name, _)| name.as_str())
                    };
                    match concrete.or_else(interface) {
                        Some(name) => name,
                        None => {
                            let field = &fields[0].name;
                            let got = runtime.map_or_else(
                                || "no __typename".to_owned(),
                                |runtime| format!("'{runtime}'"),
                            );
                            self.error(format!(
                                "Abstract type {type_name} of field {parent}.{field} must resolve to one of its object types, got {got}"
                            ));
                            return self.write_null();
                        }
                    }
                };
                let grouped = self.grouped_fields(runtime_type, fields, cache);
                let start = self.out.len();
                match self.complete_object(runtime_type, &grouped, object, false) {
                    Ok(()) => true,
                    Err(NullPropagation) => self.write_null_from(start),
                }
            }
            // Input objects cannot be output types; validation keeps us from here.
            Some(ExtendedType::InputObject(_)) | None => {
                write_value(&mut self.out, &value);
                true
            }
        }
    }

    fn invalid(&mut self, fields: &[&'a Field], parent: &str, expected: &str, got: &Value) {
        let field = &fields[0].name;
        let got = match got {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        };
        self.error(format!(
            "Invalid value for field {parent}.{field}: expected {expected}, got {got}"
        ));
    }

    fn owned_path(&self) -> Vec<PathSegment> {
        if self.prefix.is_empty() {
            return owned_path(&self.path);
        }
        let mut path = self.prefix.clone();
        path.extend(owned_path(&self.path));
        path
    }

    fn error(&mut self, message: String) {
        self.errors
            .push(GraphQLError::new(message).with_path(self.owned_path()));
    }
}

/// A null in a non-null position: the caller nulls the nearest nullable ancestor.
#[derive(Debug)]
struct NullPropagation;

/// The schema's own name of the object type `name`, if there is one.
fn object_type_name<'s>(schema: &'s Schema, name: &str) -> Option<&'s str> {
    match schema.types.get_key_value(name) {
        Some((name, ExtendedType::Object(_))) => Some(name.as_str()),
        _ => None,
    }
}

/// Checks the JSON shape of the built-in scalars; custom scalars pass through.
fn scalar_shape_ok(type_name: &str, value: &Value) -> bool {
    match type_name {
        "Int" => value.as_i64().is_some_and(|int| i32::try_from(int).is_ok()),
        "Float" => value.is_number(),
        "String" => value.is_string(),
        "Boolean" => value.is_boolean(),
        "ID" => value.is_string() || value.as_i64().is_some() || value.as_u64().is_some(),
        _ => true,
    }
}
