//! The plan's input and output rewrites: internal aliases renamed back, and
//! `@interfaceObject` representations sent under the interface's name.

mod common;

use common::*;
use serde_json::json;
use switchyard_planner::plan::{FetchRewrite, RewritePathElement, Selection};

fn key(name: &str) -> RewritePathElement {
    RewritePathElement::Key(name.to_owned())
}

fn on(typename: &str) -> RewritePathElement {
    RewritePathElement::TypeCondition(typename.to_owned())
}

#[tokio::test]
async fn internal_aliases_are_renamed_back_in_root_and_entity_results() {
    // The planner aliased `minutes` on Movie in the root fetch, and `title` on Movie
    // in the entity fetch, to keep each subgraph operation valid.
    let fetcher = MockFetcher::new()
        .canned(
            "media",
            json!({ "data": { "media": [
                { "__typename": "Book", "id": "b1", "pages": 412 },
                { "__typename": "Movie", "id": "m1", "_alias_minutes": 117 }
            ] } }),
        )
        .entities("titles", |representation| {
            if representation["__typename"] == "Movie" {
                json!({ "_alias_title": "Alien" })
            } else {
                json!({ "title": "Dune" })
            }
        });
    let root = with_rewrites(
        fetch(
            "media",
            "{ media { __typename id ... on Book { pages } ... on Movie { _alias_minutes: minutes } } }",
        ),
        vec![],
        vec![FetchRewrite::KeyRenamer {
            path: vec![key("media"), on("Movie"), key("_alias_minutes")],
            rename_key_to: "minutes".to_owned(),
        }],
    );
    let mut titles = entity_fetch(
        "titles",
        "Book",
        &["id"],
        &entities_operation("... on Book { title } ... on Movie { _alias_title: title }"),
    );
    if let switchyard_planner::plan::PlanNode::Fetch(node) = &mut titles {
        node.requires.push(requires("Movie", &["id"]));
        node.output_rewrites = vec![FetchRewrite::KeyRenamer {
            path: vec![on("Movie"), key("_alias_title")],
            rename_key_to: "title".to_owned(),
        }];
    }
    let plan = sequence(vec![root, flatten("media.@", titles)]);
    let result = run(
        "{ media { title ... on Book { pages } ... on Movie { minutes } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn interface_object_representations_are_sent_as_the_interface() {
    // `reviews` sees Media as an @interfaceObject: it only knows `Media`, not Book or
    // Movie, and answers with `__typename: "Media"`, which must not replace the
    // concrete type learned from `media`.
    let fetcher = MockFetcher::new()
        .canned(
            "media",
            json!({ "data": { "media": [
                { "__typename": "Book", "id": "b1" },
                { "__typename": "Movie", "id": "m1" },
                { "__typename": "Book", "id": "b1" }
            ] } }),
        )
        .entities("reviews", |representation| {
            json!({ "__typename": representation["__typename"], "title": format!("Title of {}", representation["id"].as_str().unwrap()) })
        });
    let mut by_interface = entity_fetch(
        "reviews",
        "Book",
        &["id"],
        &entities_operation("... on Media { __typename title }"),
    );
    if let switchyard_planner::plan::PlanNode::Fetch(node) = &mut by_interface {
        node.requires.push(requires("Movie", &["id"]));
        node.input_rewrites = ["Book", "Movie"]
            .into_iter()
            .map(|typename| FetchRewrite::ValueSetter {
                path: vec![on(typename), key("__typename")],
                value: json!("Media"),
            })
            .collect();
    }
    let plan = sequence(vec![
        fetch("media", "{ media { __typename id } }"),
        flatten("media.@", by_interface),
    ]);
    let result = run(
        "{ media { __typename id title } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert!(matches!(
        &result["requests"][1]["variables"]["representations"][0]["__typename"],
        serde_json::Value::String(name) if name == "Media"
    ));
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn requires_fields_and_nested_selections_build_the_representation() {
    // `shippingEstimate` @requires(fields: "price weight") in `inventory`; the key is
    // `upc`. Requires selections may nest (here `reviews { rating }` stands in for a
    // nested required object) and may come from an aliased response key.
    let fetcher = MockFetcher::new()
        .canned(
            "products",
            json!({ "data": { "product": {
                "__typename": "Product", "upc": "1", "price": 100, "weight": null,
                "r": [{ "rating": 5, "body": "x" }]
            } } }),
        )
        .entities("inventory", |_| json!({ "shippingEstimate": 7 }));
    let mut estimate = entity_fetch(
        "inventory",
        "Product",
        &["upc", "price", "weight"],
        &entities_operation("... on Product { shippingEstimate }"),
    );
    if let switchyard_planner::plan::PlanNode::Fetch(node) = &mut estimate
        && let Selection::InlineFragment(fragment) = &mut node.requires[0]
    {
        fragment
            .selections
            .push(Selection::Field(switchyard_planner::plan::FieldSelection {
                response_key: "r".to_owned(),
                name: "reviews".to_owned(),
                selections: vec![field("rating")],
            }));
    }
    let plan = sequence(vec![
        fetch(
            "products",
            "{ product(upc: \"1\") { __typename upc price weight r: reviews { rating } } }",
        ),
        flatten("product", estimate),
    ]);
    let result = run(
        "{ product(upc: \"1\") { shippingEstimate } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        result["requests"][1]["variables"]["representations"],
        json!([{ "__typename": "Product", "upc": "1", "price": 100, "weight": null, "reviews": [{ "rating": 5 }] }])
    );
    assert_eq!(
        result["response"],
        json!({ "data": { "product": { "shippingEstimate": 7 } } })
    );
}

#[tokio::test]
async fn the_concrete_typename_from_the_owner_replaces_an_interface_objects_one() {
    // `reviews` knows Media only as an @interfaceObject, so its root field answers
    // `__typename: "Media"`; the planner then asks `media`, which owns the interface,
    // for the concrete type.
    let fetcher = MockFetcher::new()
        .canned(
            "reviews",
            json!({ "data": { "media": [{ "__typename": "Media", "id": "b1" }, { "__typename": "Media", "id": "m1" }] } }),
        )
        .entities("media", |representation| {
            let typename = if representation["id"] == "b1" { "Book" } else { "Movie" };
            json!({ "__typename": typename, "title": "T" })
        });
    let plan = sequence(vec![
        fetch("reviews", "{ media { __typename id } }"),
        flatten(
            "media.@",
            entity_fetch(
                "media",
                "Media",
                &["id"],
                &entities_operation("... on Media { __typename title }"),
            ),
        ),
    ]);
    let result = run(
        "{ media { __typename title ... on Book { id } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        result["response"],
        json!({ "data": { "media": [
            { "__typename": "Book", "title": "T", "id": "b1" },
            { "__typename": "Movie", "title": "T" }
        ] } })
    );
}

#[tokio::test]
async fn an_interface_object_value_is_shaped_by_the_interface_fields_alone() {
    // Nobody was asked for the concrete type: the interface's own fields are still
    // answered; `__typename` cannot be, and says so.
    let fetcher = MockFetcher::new().canned(
        "reviews",
        json!({ "data": { "media": [{ "__typename": "Media", "id": "b1", "title": "Dune" }] } }),
    );
    let plan = fetch("reviews", "{ media { __typename id title } }");
    let fields_only = run(
        "{ media { id ... on Media { title } ... on Book { pages } } }",
        json!({}),
        Some(plan.clone()),
        fetcher,
    )
    .await;
    assert_eq!(
        fields_only["response"],
        json!({ "data": { "media": [{ "id": "b1", "title": "Dune" }] } })
    );
    let fetcher = MockFetcher::new().canned(
        "reviews",
        json!({ "data": { "media": [{ "__typename": "Media", "id": "b1", "title": "Dune" }] } }),
    );
    let with_typename = run(
        "{ media { __typename id } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        with_typename["response"],
        json!({ "data": null, "errors": [{
            "message": "Cannot resolve __typename: the concrete type of this Media is unknown",
            "path": ["media", 0, "__typename"]
        }] })
    );
}
