//! `_entities(representations:)`: each representation finds its entity in the
//! data by any `@key` of its type (nested keys compare recursively); unknown
//! representations resolve to `null`, as a subgraph's reference resolver would.

use apollo_compiler::Node;
use apollo_compiler::ast::{self, Selection};
use serde_json::{Map, Value as Json, json};

use super::{Executor, PathSegment, Propagate};
use crate::args::arguments_to_json;

impl Executor<'_> {
    /// `_entities(representations:)`: each representation finds its entity by any
    /// key of its type; unknown ones are null.
    pub(super) fn resolve_entities(
        &mut self,
        field: &Node<ast::Field>,
        selections: &[&Selection],
        path: &[PathSegment],
    ) -> Json {
        let arguments = arguments_to_json(&field.arguments, &self.variables);
        let representations = arguments
            .iter()
            .find(|(name, _)| name == "representations")
            .and_then(|(_, value)| value.as_array().cloned())
            .unwrap_or_default();
        let mut results = Vec::with_capacity(representations.len());
        for (index, representation) in representations.iter().enumerate() {
            let mut entity_path = path.to_vec();
            entity_path.push(json!(index));
            let Json::Object(representation) = representation else {
                results.push(Json::Null);
                continue;
            };
            let type_name = representation
                .get("__typename")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned();
            let Some(entity) = self.find_entity(&type_name, representation) else {
                results.push(Json::Null);
                continue;
            };
            if let Some(message) = entity.get("$error") {
                let message = message
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| message.to_string());
                self.error(message, &entity_path);
                results.push(Json::Null);
                continue;
            }
            let mut merged = representation.clone();
            for (key, value) in entity {
                merged.insert(key.clone(), value.clone());
            }
            let concrete = merged
                .get("__typename")
                .and_then(Json::as_str)
                .unwrap_or(&type_name)
                .to_owned();
            match self.resolve_object(&concrete, &merged, selections, &entity_path, false) {
                Ok(object) => results.push(Json::Object(object)),
                Err(Propagate) => results.push(Json::Null),
            }
        }
        Json::Array(results)
    }

    pub(super) fn find_entity(
        &self,
        type_name: &str,
        representation: &Map<String, Json>,
    ) -> Option<Map<String, Json>> {
        let keys = self.schema.keys(type_name);
        self.data.entities_of(type_name).iter().find_map(|entity| {
            let Json::Object(entity) = entity else {
                return None;
            };
            let matched = if keys.is_empty() {
                let mut shared = representation
                    .iter()
                    .filter(|(key, _)| key.as_str() != "__typename" && entity.contains_key(*key))
                    .peekable();
                shared.peek().is_some() && shared.all(|(key, value)| entity.get(key) == Some(value))
            } else {
                keys.iter()
                    .any(|key| key_matches(key, representation, entity))
                    && carried_fields_match(representation, entity)
            };
            matched.then(|| entity.clone())
        })
    }
}

/// Whether every field the entry holds that the representation also carries
/// (its `@requires` fields, beyond the key) has the same value: an entry may
/// stand for the entity as seen with particular required values, so a router
/// that sends the wrong required value finds no entity instead of silently
/// getting a plausible answer.
fn carried_fields_match(representation: &Map<String, Json>, entity: &Map<String, Json>) -> bool {
    representation
        .iter()
        .filter(|(key, _)| key.as_str() != "__typename")
        .all(|(key, value)| entity.get(key).is_none_or(|held| agrees(value, held)))
}

/// Whether a carried value agrees with what the entry holds: objects compare on
/// the fields both have (the representation selects only some), lists element
/// by element, scalars by equality.
fn agrees(carried: &Json, held: &Json) -> bool {
    match (carried, held) {
        (Json::Object(carried), Json::Object(held)) => carried
            .iter()
            .all(|(key, value)| held.get(key).is_none_or(|h| agrees(value, h))),
        (Json::Array(carried), Json::Array(held)) => {
            carried.len() == held.len() && carried.iter().zip(held).all(|(c, h)| agrees(c, h))
        }
        _ => carried == held,
    }
}

/// Whether the representation carries every field of the key and they equal the
/// entity's (nested keys compare recursively).
fn key_matches(
    key: &[Selection],
    representation: &Map<String, Json>,
    entity: &Map<String, Json>,
) -> bool {
    key.iter().all(|selection| match selection {
        Selection::Field(field) => {
            let name = field.name.as_str();
            match (representation.get(name), entity.get(name)) {
                (Some(Json::Object(rep)), Some(Json::Object(ent)))
                    if !field.selection_set.is_empty() =>
                {
                    key_matches(&field.selection_set, rep, ent)
                }
                (Some(rep), Some(ent)) => rep == ent,
                _ => false,
            }
        }
        Selection::InlineFragment(fragment) => {
            key_matches(&fragment.selection_set, representation, entity)
        }
        Selection::FragmentSpread(_) => false,
    })
}
