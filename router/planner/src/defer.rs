//! `@defer` in the client operation: how the planner and the executor agree on
//! which deferred fragment a plan's [`DeferredNode`] is about.
//!
//! Both number the operation's `@defer`s the same way, with
//! [`deferred_fragments`]: in document order, named fragments expanded at each
//! spread, every `@defer` counted whatever its `if` and whatever `@skip` or
//! `@include` says around it (so a number never depends on variables).
//!
//! [`DeferredNode`]: crate::plan::DeferredNode

use apollo_compiler::executable::{DirectiveList, FragmentMap, Selection, SelectionSet};

/// A fragment carrying `@defer`, where the document has it.
#[derive(Debug, Clone, Copy)]
pub struct DeferredFragment<'doc> {
    /// The fragment's type condition, if any.
    pub type_condition: Option<&'doc str>,
    /// The directives on the fragment (or on the spread of a named fragment).
    pub directives: &'doc DirectiveList,
    /// What the fragment selects.
    pub selection_set: &'doc SelectionSet,
}

/// Appends the `@defer` fragments under `set` to `out`, in the numbering order
/// described in the module documentation. A validated document has no fragment
/// cycles; a spread of an unknown fragment is passed over.
pub fn deferred_fragments<'doc>(
    set: &'doc SelectionSet,
    fragments: &'doc FragmentMap,
    out: &mut Vec<DeferredFragment<'doc>>,
) {
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => deferred_fragments(&field.selection_set, fragments, out),
            Selection::InlineFragment(inline) => {
                if inline.directives.has("defer") {
                    out.push(DeferredFragment {
                        type_condition: inline.type_condition.as_ref().map(|t| t.as_str()),
                        directives: &inline.directives,
                        selection_set: &inline.selection_set,
                    });
                }
                deferred_fragments(&inline.selection_set, fragments, out);
            }
            Selection::FragmentSpread(spread) => {
                let Some(fragment) = fragments.get(&spread.fragment_name) else {
                    continue;
                };
                if spread.directives.has("defer") {
                    out.push(DeferredFragment {
                        type_condition: Some(fragment.type_condition().as_str()),
                        directives: &spread.directives,
                        selection_set: &fragment.selection_set,
                    });
                }
                deferred_fragments(&fragment.selection_set, fragments, out);
            }
        }
    }
}
