//! The planner's public interface beyond plan shapes: errors, bounds, the JSON
//! form the executor receives, and the API schemas of every fixture.

mod common;

use std::sync::Arc;
use std::time::Duration;

use apollo_compiler::ExecutableDocument;
use common::planner;
use switchyard_planner::{
    PlanError, PlanOptions, PlannerConfig, QueryPlanner, Supergraph, format_path,
};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}.graphql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn plan_with(
    supergraph: Arc<Supergraph>,
    config: PlannerConfig,
    operation: &str,
    name: Option<&str>,
) -> Result<switchyard_planner::plan::QueryPlan, PlanError> {
    let document =
        ExecutableDocument::parse_and_validate(supergraph.api_schema(), operation, "op.graphql")
            .unwrap();
    QueryPlanner::new(supergraph, config).plan(&document, name, &PlanOptions::default())
}

#[test]
fn planner_and_supergraph_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Supergraph>();
    assert_send_sync::<QueryPlanner>();
}

#[test]
fn unknown_operation_name_is_an_error() {
    let supergraph = Arc::new(Supergraph::parse(&fixture("shop")).unwrap());
    let error = plan_with(
        supergraph,
        PlannerConfig::default(),
        "query A { me { id } } query B { me { name } }",
        Some("C"),
    )
    .unwrap_err();
    assert!(
        matches!(error, PlanError::InvalidOperation(ref m) if m.contains("C")),
        "{error}"
    );
}

#[test]
fn picks_the_named_operation() {
    let supergraph = Arc::new(Supergraph::parse(&fixture("shop")).unwrap());
    let plan = plan_with(
        supergraph,
        PlannerConfig::default(),
        "query A { me { id } } query B { topProducts { upc } }",
        Some("B"),
    )
    .unwrap();
    assert!(plan.to_string().contains("B__products__0"), "{plan}");
}

#[test]
fn exceeding_the_time_limit_is_an_error() {
    let supergraph = Arc::new(Supergraph::parse(&fixture("shop")).unwrap());
    let config = PlannerConfig {
        timeout: Duration::ZERO,
        ..PlannerConfig::default()
    };
    let error = plan_with(supergraph, config, "{ topProducts { inStock } }", None).unwrap_err();
    assert_eq!(error, PlanError::Timeout(Duration::ZERO));
}

#[test]
fn exceeding_the_option_budget_is_an_error() {
    let supergraph = Arc::new(Supergraph::parse(&fixture("shop")).unwrap());
    let config = PlannerConfig {
        max_evaluated_options: 1,
        ..PlannerConfig::default()
    };
    // `shippingCountries` can come from two subgraphs: both are weighed.
    let error = plan_with(supergraph, config, "{ shippingCountries }", None).unwrap_err();
    assert_eq!(error, PlanError::TooManyOptions(1));
}

#[test]
fn a_field_no_subgraph_can_reach_is_left_to_an_error_at_its_path() {
    // Without its key in inventory, Product.inStock can't be reached from products:
    // the plan fetches the rest and names the field the executor answers with an error.
    let sdl = fixture("shop").replace(
        "@join__type(graph: INVENTORY, key: \"upc\")",
        "@join__type(graph: INVENTORY, key: \"upc\", resolvable: false)",
    );
    let supergraph = Arc::new(Supergraph::parse(&sdl).unwrap());
    let plan = plan_with(
        supergraph,
        PlannerConfig::default(),
        "{ topProducts { name inStock } }",
        None,
    )
    .unwrap();
    assert_eq!(plan.unresolvable.len(), 1, "{plan}");
    let field = &plan.unresolvable[0];
    assert_eq!(
        (field.parent_type.as_str(), field.field_name.as_str()),
        ("Product", "inStock")
    );
    assert_eq!(format_path(&field.path), "topProducts.@");
    assert!(!plan.to_string().contains("inventory"), "{plan}");
}

#[test]
fn plan_serializes_to_the_json_the_executor_reads() {
    let planner = planner("interface_object");
    let document = ExecutableDocument::parse_and_validate(
        planner.supergraph().api_schema(),
        "query Q($withRating: Boolean!) { products { title averageRating @include(if: $withRating) } }",
        "op.graphql",
    )
    .unwrap();
    let plan = planner
        .plan(&document, None, &PlanOptions::default())
        .unwrap();
    insta::assert_json_snapshot!(plan);
}

#[test]
fn api_schemas_of_the_fixtures() {
    for name in ["abstract", "interface_object", "requires", "override"] {
        let supergraph = Supergraph::parse(&fixture(name)).unwrap();
        let sdl = supergraph.api_schema_sdl();
        assert!(
            !sdl.contains("join__") && !sdl.contains("link__"),
            "{name}: {sdl}"
        );
        insta::assert_snapshot!(format!("api_schema_{name}"), sdl);
    }
}

#[test]
fn federation_1_style_external_key_fields_plan_like_federation_2() {
    let query = fixture("gateway_benchmark_query");
    let fed2 = Arc::new(Supergraph::parse(&fixture("gateway_benchmark")).unwrap());
    let fed1_sdl = fixture("gateway_benchmark").replace(
        "  upc: String!\n",
        "  upc: String! @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS) @join__field(graph: REVIEWS, external: true)\n",
    );
    assert_ne!(fed1_sdl, fixture("gateway_benchmark"));
    let fed1 = Arc::new(Supergraph::parse(&fed1_sdl).unwrap());
    let expected = plan_with(fed2, PlannerConfig::default(), &query, None).unwrap();
    let actual = plan_with(fed1, PlannerConfig::default(), &query, None).unwrap();
    assert_eq!(actual.to_string(), expected.to_string());
}

#[test]
fn api_schema_validates_introspection_and_rejects_inaccessible_elements() {
    let supergraph = Supergraph::parse(&fixture("shop")).unwrap();
    let api = supergraph.api_schema();
    ExecutableDocument::parse_and_validate(
        api,
        "{ __schema { queryType { name } types { name fields { name args { name } } enumValues { name } } } }",
        "introspection.graphql",
    )
    .unwrap();
    for rejected in [
        "{ me { birthDate } }",
        "{ topProducts { internalCode } }",
        "{ topProducts { price(currency: GBP) } }",
        "{ topReviews { secret } }",
    ] {
        assert!(
            ExecutableDocument::parse_and_validate(api, rejected, "op.graphql").is_err(),
            "{rejected} should be rejected"
        );
    }
}
