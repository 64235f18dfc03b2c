//! The API schema (the supergraph minus `@inaccessible` elements) must stay valid:
//! nothing visible may reference a hidden type, a hidden argument or input field
//! may not be required, and a visible type may not lose all of its fields or values.

use super::Context;
use crate::error::ErrorCode;
use crate::model::Kind;
use crate::supergraph::{OutInputValue, OutType};
use std::collections::HashSet;

fn hidden(directives: &[String]) -> bool {
    directives.iter().any(|d| d == "@inaccessible")
}

fn base(ty: &str) -> &str {
    ty.trim_matches(|c| c == '[' || c == ']' || c == '!')
}

pub(crate) fn check_inaccessible(cx: &mut Context<'_>, types: &[OutType]) {
    let hidden_types: HashSet<&str> = types
        .iter()
        .filter(|t| hidden(&t.directives))
        .map(|t| t.name.as_str())
        .collect();
    let mut errors = Vec::new();
    let check_input = |value: &OutInputValue, at: String, errors: &mut Vec<(ErrorCode, String)>| {
        if hidden(&value.directives) {
            if value.ty.ends_with('!') && value.default.is_none() {
                errors.push((
                    ErrorCode::REQUIRED_INACCESSIBLE,
                    format!(
                        "\"{at}\" is required but is @inaccessible: a client could never give it."
                    ),
                ));
            }
        } else if hidden_types.contains(base(&value.ty)) {
            errors.push((
                ErrorCode::REFERENCED_INACCESSIBLE,
                format!("Type \"{}\" is @inaccessible but is referenced by \"{at}\", which is in the API schema.", base(&value.ty)),
            ));
        }
    };
    for ty in types.iter().filter(|t| !hidden(&t.directives)) {
        let (children, visible) = match ty.kind {
            Kind::Object | Kind::Interface => (
                ty.fields.len(),
                ty.fields.iter().filter(|f| !hidden(&f.directives)).count(),
            ),
            Kind::InputObject => (
                ty.input_fields.len(),
                ty.input_fields
                    .iter()
                    .filter(|f| !hidden(&f.directives))
                    .count(),
            ),
            Kind::Enum => (
                ty.values.len(),
                ty.values.iter().filter(|v| !hidden(&v.directives)).count(),
            ),
            Kind::Union => (
                ty.members.len(),
                ty.members
                    .iter()
                    .filter(|m| !hidden_types.contains(m.as_str()))
                    .count(),
            ),
            Kind::Scalar => (1, 1),
        };
        if children > 0 && visible == 0 {
            errors.push((
                ErrorCode::ONLY_INACCESSIBLE_CHILDREN,
                format!(
                    "Type \"{}\" is in the API schema but all of its members are @inaccessible.",
                    ty.name
                ),
            ));
        }
        for field in ty.fields.iter().filter(|f| !hidden(&f.directives)) {
            let at = format!("{}.{}", ty.name, field.name);
            if hidden_types.contains(base(&field.ty)) {
                errors.push((
                    ErrorCode::REFERENCED_INACCESSIBLE,
                    format!("Type \"{}\" is @inaccessible but is referenced by \"{at}\", which is in the API schema.", base(&field.ty)),
                ));
            }
            for arg in &field.args {
                check_input(arg, format!("{at}({}:)", arg.name), &mut errors);
            }
        }
        for field in &ty.input_fields {
            check_input(field, format!("{}.{}", ty.name, field.name), &mut errors);
        }
    }
    for (code, message) in errors {
        cx.diags.error(code, message);
    }
}
