//! Type-condition checks shared by path walking, representations, rewrites and
//! response shaping.

use apollo_compiler::Schema;

/// Whether an object whose concrete type is `typename` matches the type condition
/// `condition`: the same type, or an interface it implements / a union it belongs to.
pub(crate) fn type_matches(schema: &Schema, condition: &str, typename: &str) -> bool {
    condition == typename || schema.is_subtype(condition, typename)
}
