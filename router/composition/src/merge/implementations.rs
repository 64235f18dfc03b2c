//! After merging, every object type must still have every field of each interface
//! it implements: a subgraph adding a field to an interface must add it to all
//! implementations the supergraph knows.

use super::{Context, Source};
use crate::error::ErrorCode;
use crate::model::Kind;
use crate::supergraph::OutType;
use indexmap::IndexMap;

pub(crate) fn check_implementations(
    cx: &mut Context<'_>,
    by_name: &IndexMap<&str, Vec<Source<'_>>>,
    types: &[OutType],
) {
    for ty in types
        .iter()
        .filter(|t| matches!(t.kind, Kind::Object | Kind::Interface))
    {
        for interface_name in &ty.implements {
            let Some(interface) = types.iter().find(|t| t.name == *interface_name) else {
                continue;
            };
            for field in &interface.fields {
                if ty.fields.iter().any(|f| f.name == field.name) {
                    continue;
                }
                let declared = by_name[interface_name.as_str()]
                    .iter()
                    .filter(|(_, s)| s.fields.contains_key(&field.name))
                    .map(|(i, _)| *i);
                let implemented = by_name[ty.name.as_str()]
                    .iter()
                    .filter(|(_, s)| s.implements.contains(interface_name))
                    .map(|(i, _)| *i);
                let message = format!(
                    "Interface field \"{interface_name}.{}\" is declared in subgraph {} but type \"{}\", which implements \"{interface_name}\" in subgraph {} does not have field \"{}\".",
                    field.name,
                    cx.names(declared),
                    ty.name,
                    cx.names(implemented),
                    field.name
                );
                cx.diags
                    .error(ErrorCode::INTERFACE_FIELD_NO_IMPLEM, message);
            }
        }
    }
}
