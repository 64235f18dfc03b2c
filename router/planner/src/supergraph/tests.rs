use super::*;

const SHOP: &str = include_str!("../../tests/fixtures/shop.graphql");

fn error_of(sdl: &str) -> String {
    Supergraph::parse(sdl)
        .expect_err("should be rejected")
        .to_string()
}

#[test]
fn reads_subgraphs_in_join_graph_order() {
    let supergraph = Supergraph::parse(SHOP).unwrap();
    let names: Vec<_> = supergraph.subgraphs().collect();
    assert_eq!(
        names,
        vec![
            ("accounts", "http://accounts:4001/graphql"),
            ("inventory", "http://inventory:4002/graphql"),
            ("products", "http://products:4003/graphql"),
            ("reviews", "http://reviews:4004/graphql"),
        ]
    );
}

#[test]
fn api_schema_hides_join_link_and_inaccessible_elements() {
    let supergraph = Supergraph::parse(SHOP).unwrap();
    let sdl = supergraph.api_schema_sdl();
    for hidden in [
        "join__",
        "link__",
        "@link",
        "inaccessible",
        "birthDate",
        "internalCode",
        "secret",
        "GBP",
        "Hidden",
    ] {
        assert!(!sdl.contains(hidden), "API schema still mentions {hidden}");
    }
    insta::assert_snapshot!(sdl);
}

#[test]
fn reads_keys_and_field_joins() {
    let supergraph = Supergraph::parse(SHOP).unwrap();
    assert_eq!(supergraph.resolvable_keys("Product", 2).len(), 2);
    assert!(supergraph.resolvable_keys("Category", 3).is_empty());
    assert_eq!(supergraph.all_keys("Category", 3).len(), 1);
    let joins = supergraph
        .field_joins("Product", "shippingEstimate")
        .unwrap();
    assert_eq!(joins.len(), 1);
    assert!(joins[0].requires.is_some());
}

#[test]
fn rejects_an_unknown_graph_in_a_join_directive() {
    let sdl = SHOP.replace(
        "reviews: [Review] @join__field(graph: REVIEWS)\n}\n\ntype Product",
        "reviews: [Review] @join__field(graph: RATINGS)\n}\n\ntype Product",
    );
    assert_ne!(sdl, SHOP);
    let message = error_of(&sdl);
    assert!(message.contains("RATINGS"), "{message}");
}

#[test]
fn rejects_an_unparsable_key() {
    let sdl = SHOP.replace(
        "@join__type(graph: INVENTORY, key: \"upc\")",
        "@join__type(graph: INVENTORY, key: \"upc {\")",
    );
    let message = error_of(&sdl);
    assert!(message.contains("@key on Product"), "{message}");
}

#[test]
fn rejects_a_key_naming_an_unknown_field() {
    let sdl = SHOP.replace(
        "@join__type(graph: INVENTORY, key: \"upc\")",
        "@join__type(graph: INVENTORY, key: \"gtin\")",
    );
    let message = error_of(&sdl);
    assert!(message.contains("gtin"), "{message}");
}

#[test]
fn rejects_an_unparsable_requires() {
    let sdl = SHOP.replace(
        "requires: \"price(currency: EUR) weight\"",
        "requires: \"price(\"",
    );
    let message = error_of(&sdl);
    assert!(
        message.contains("@requires on Product.shippingEstimate"),
        "{message}"
    );
}

#[test]
fn rejects_unsupported_join_versions() {
    let sdl = SHOP.replace("join/v0.3", "join/v0.9");
    assert!(error_of(&sdl).contains("join spec v0.9"));
    let sdl = SHOP.replace("join/v0.3", "join/v0.1");
    assert!(error_of(&sdl).contains("join spec v0.1"));
}

#[test]
fn rejects_unsupported_link_version() {
    let sdl = SHOP.replace("link/v1.0", "link/v2.0");
    assert!(error_of(&sdl).contains("link spec v2.0"));
}

#[test]
fn rejects_a_schema_without_link() {
    let message = error_of("type Query { a: Int }");
    assert!(
        message.contains("not a Federation 2 supergraph"),
        "{message}"
    );
}

#[test]
fn rejects_invalid_graphql() {
    let message = error_of("type Query { a: Unknown }");
    assert!(message.contains("invalid supergraph schema"), "{message}");
}

#[test]
fn renamed_join_spec_is_read_through_its_prefix() {
    let sdl = SHOP
        .replace(
            "https://specs.apollo.dev/join/v0.3\", for: EXECUTION",
            "https://specs.apollo.dev/join/v0.3\", as: \"j\", for: EXECUTION",
        )
        .replace("join__", "j__");
    let supergraph = Supergraph::parse(&sdl).unwrap();
    assert_eq!(supergraph.subgraphs().count(), 4);
    assert!(!supergraph.api_schema_sdl().contains("j__"));
}

#[test]
fn imported_inaccessible_under_a_rename_hides_elements() {
    let sdl = SHOP
        .replace(
            "https://specs.apollo.dev/inaccessible/v0.2\", for: SECURITY",
            "https://specs.apollo.dev/inaccessible/v0.2\", import: [{name: \"@inaccessible\", as: \"@hidden\"}], for: SECURITY",
        )
        .replace("@inaccessible", "@hidden")
        .replace("\"@hidden\", as: \"@hidden\"", "\"@inaccessible\", as: \"@hidden\"");
    let supergraph = Supergraph::parse(&sdl).unwrap();
    let api = supergraph.api_schema_sdl();
    assert!(
        !api.contains("birthDate") && !api.contains("hidden"),
        "{api}"
    );
}

#[test]
fn rejects_a_field_resolved_by_a_graph_without_its_type() {
    let sdl = SHOP.replace(
        "inStock: Boolean @join__field(graph: INVENTORY)",
        "inStock: Boolean @join__field(graph: ACCOUNTS)",
    );
    let message = error_of(&sdl);
    assert!(
        message.contains("Product.inStock") && message.contains("ACCOUNTS"),
        "{message}"
    );
}

#[test]
fn rejects_a_join_implements_naming_an_unknown_type() {
    let sdl = include_str!("../../tests/fixtures/abstract.graphql").replace(
        "@join__implements(graph: MEDIA, interface: \"Item\")\n  @join__type(graph: MEDIA, key: \"id\")\n{\n  id: ID!\n  title: String @join__field(graph: MEDIA)\n  price",
        "@join__implements(graph: MEDIA, interface: \"Itme\")\n  @join__type(graph: MEDIA, key: \"id\")\n{\n  id: ID!\n  title: String @join__field(graph: MEDIA)\n  price",
    );
    let message = error_of(&sdl);
    assert!(message.contains("Itme"), "{message}");
}
