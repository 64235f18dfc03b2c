//! `@interfaceObject`: a subgraph that sees an interface as an object type adds
//! fields to the interface, so every implementation must expose them too. They are
//! added with a bare `@join__field` (no graph resolves them on the implementation
//! directly; the planner reaches them through the interface object), like Apollo does.

use super::Source;
use crate::model::Kind;
use crate::supergraph::OutType;
use indexmap::IndexMap;

pub(crate) fn add_interface_object_fields(
    by_name: &IndexMap<&str, Vec<Source<'_>>>,
    types: &mut [OutType],
) {
    let interfaces: Vec<OutType> = types
        .iter()
        .filter(|t| t.kind == Kind::Interface)
        .filter(|t| {
            by_name
                .get(t.name.as_str())
                .is_some_and(|sources| sources.iter().any(|(_, s)| s.interface_object))
        })
        .cloned()
        .collect();
    for interface in &interfaces {
        let sources = &by_name[interface.name.as_str()];
        for ty in types.iter_mut() {
            if ty.kind != Kind::Object || !ty.implements.contains(&interface.name) {
                continue;
            }
            for field in &interface.fields {
                if ty.fields.iter().any(|f| f.name == field.name) {
                    continue;
                }
                let from_interface_object = sources
                    .iter()
                    .any(|(_, s)| s.interface_object && s.fields.contains_key(&field.name));
                if from_interface_object {
                    let mut copy = field.clone();
                    copy.directives = vec!["@join__field".to_string()];
                    ty.fields.push(copy);
                }
            }
        }
    }
}
