//! The supergraphs the generators run over: the planner's fixtures (entity keys,
//! abstract types, `@requires`, `@interfaceObject`, `@override`, `@fromContext`,
//! several keys) and the benchmark's. Embedded, so the fuzz targets need no files.

/// `(name, supergraph SDL)`.
pub const SUPERGRAPHS: &[(&str, &str)] = &[
    (
        "shop",
        include_str!("../../planner/tests/fixtures/shop.graphql"),
    ),
    (
        "abstract",
        include_str!("../../planner/tests/fixtures/abstract.graphql"),
    ),
    (
        "requires",
        include_str!("../../planner/tests/fixtures/requires.graphql"),
    ),
    (
        "interface_object",
        include_str!("../../planner/tests/fixtures/interface_object.graphql"),
    ),
    (
        "several_keys",
        include_str!("../../planner/tests/fixtures/several_keys.graphql"),
    ),
    (
        "override",
        include_str!("../../planner/tests/fixtures/override.graphql"),
    ),
    (
        "from_context",
        include_str!("../../planner/tests/fixtures/from_context.graphql"),
    ),
    ("bench", include_str!("../../../bench/supergraph.graphql")),
];

/// The router's HTTP test fixture (accounts, products, reviews).
pub const ROUTER_SUPERGRAPH: &str = include_str!("../../tests/fixtures/supergraph.graphql");
