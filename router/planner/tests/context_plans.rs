//! `@fromContext` (join v0.5 `contextArguments`): not planned yet, so an
//! operation selecting such a field is refused with a clear error instead of
//! being sent to the subgraph without the argument it needs.

mod common;

use common::{plan, planner, try_plan_with};
use switchyard_planner::PlanOptions;

#[test]
fn a_field_with_context_arguments_is_refused() {
    let error = try_plan_with(
        &planner("from_context"),
        "{ t { prefs { greeting(polite: true) } } }",
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Prefs.greeting takes argument(s) locale from @fromContext (join contextArguments), \
         which this router does not support yet"
    );
}

#[test]
fn fields_next_to_it_still_plan() {
    insta::assert_snapshot!(plan(
        &planner("from_context"),
        "{ t { locale prefs { id } } }"
    ));
}
