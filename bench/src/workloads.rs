//! The operations the load harness can send, each with the answer every gateway
//! must return.
//!
//! - `deep`: The Guild's workload (`workload.graphql`, ~87 KB), nested entity
//!   hops across all four subgraphs, many of them identical.
//! - `page`: a shop's product page: one product with its stock, shipping
//!   estimate and reviews with their authors. A few KB, four subgraphs: the
//!   router's per-request overhead dominates.
//! - `wide:N`: `N` products with stock and shipping estimate, so one entity call
//!   to inventory carries `N` representations: merging dominates. `wide` is
//!   `wide:500`; the response grows by about 85 bytes per product.
//! - `chain:K`: one product, then `K` hops product → reviews → author → reviews
//!   → product …, each hop asking the owner of the next type for its name, so
//!   the entity calls per request grow with `K`.
//!
//! The expected answers of `page`, `wide` and `chain` are computed here from
//! [`crate::data`], not recorded from a gateway.

use std::fmt;
use std::str::FromStr;

use serde_json::{Value, json};

use crate::data::{self, REVIEWS};
use crate::{EXPECTED_RESPONSE, WORKLOAD};

/// `wide` without a count.
pub const WIDE_DEFAULT: usize = 500;

/// The deepest `chain` the harness accepts: the answer doubles with each hop.
pub const CHAIN_MAX: usize = 12;

/// One operation of the load harness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Deep,
    Page,
    Wide(usize),
    Chain(usize),
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Workload::Deep => f.write_str("deep"),
            Workload::Page => f.write_str("page"),
            Workload::Wide(count) => write!(f, "wide:{count}"),
            Workload::Chain(hops) => write!(f, "chain:{hops}"),
        }
    }
}

impl FromStr for Workload {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, count) = match text.split_once(':') {
            Some((name, count)) => {
                let count = count
                    .parse::<usize>()
                    .map_err(|_| format!("`{text}`: the count after `:` must be a number"))?;
                (name, Some(count))
            }
            None => (text, None),
        };
        match (name, count) {
            ("deep", None) => Ok(Workload::Deep),
            ("page", None) => Ok(Workload::Page),
            ("wide", count) => match count.unwrap_or(WIDE_DEFAULT) {
                count @ 1..=data::CATALOGUE_LEN => Ok(Workload::Wide(count)),
                _ => Err(format!(
                    "`{text}`: wide lists 1 to {} products",
                    data::CATALOGUE_LEN
                )),
            },
            ("chain", Some(hops @ 0..=CHAIN_MAX)) => Ok(Workload::Chain(hops)),
            ("chain", _) => Err(format!(
                "`{text}`: chain needs a hop count, 0 to {CHAIN_MAX}"
            )),
            _ => Err(format!(
                "unknown workload `{text}` (deep, page, wide[:N], chain:K)"
            )),
        }
    }
}

impl Workload {
    /// The request body: `operationName` and `query`.
    pub fn request_body(self) -> Vec<u8> {
        let body = json!({ "operationName": self.operation_name(), "query": self.query() });
        serde_json::to_vec(&body).expect("a JSON value serialises")
    }

    pub fn operation_name(self) -> &'static str {
        match self {
            Workload::Deep => "TestQuery",
            Workload::Page => "ProductPage",
            Workload::Wide(_) => "WideList",
            Workload::Chain(_) => "Chain",
        }
    }

    pub fn query(self) -> String {
        match self {
            Workload::Deep => WORKLOAD.to_owned(),
            Workload::Page => PAGE_QUERY.to_owned(),
            Workload::Wide(count) => format!(
                "query WideList {{ topProducts(first: {count}) {{ upc name price inStock shippingEstimate }} }}"
            ),
            Workload::Chain(hops) => format!(
                "query Chain {{ topProducts(first: 1) {{ {} }} }}",
                chain_selection(Owner::Product, hops)
            ),
        }
    }

    /// The answer every gateway must give.
    pub fn expected(self) -> Value {
        match self {
            Workload::Deep => {
                serde_json::from_str(EXPECTED_RESPONSE).expect("expected-response.json is JSON")
            }
            Workload::Page => json!({ "data": { "topProducts": [page_product()] } }),
            Workload::Wide(count) => {
                let products: Vec<Value> = (0..count)
                    .filter_map(data::catalogue_product)
                    .map(|product| {
                        json!({
                            "upc": product.upc,
                            "name": product.name,
                            "price": product.price,
                            "inStock": data::in_stock(&product.upc),
                            "shippingEstimate": data::shipping_estimate(product.price, product.weight),
                        })
                    })
                    .collect();
                json!({ "data": { "topProducts": products } })
            }
            Workload::Chain(hops) => {
                json!({ "data": { "topProducts": [chain_answer(Owner::Product, "1", hops)] } })
            }
        }
    }
}

const PAGE_QUERY: &str = "query ProductPage {
  topProducts(first: 1) {
    upc
    name
    price
    inStock
    shippingEstimate
    reviews {
      id
      body
      author {
        id
        name
      }
    }
  }
}";

fn page_product() -> Value {
    let product = &data::PRODUCTS[0];
    let reviews: Vec<Value> = REVIEWS
        .iter()
        .filter(|review| review.product_upc == product.upc)
        .map(|review| {
            let author = data::user(review.author_id).expect("reviews name known users");
            json!({
                "id": review.id,
                "body": review.body(),
                "author": { "id": author.id, "name": author.name },
            })
        })
        .collect();
    json!({
        "upc": product.upc,
        "name": product.name,
        "price": product.price,
        "inStock": data::in_stock(product.upc),
        "shippingEstimate": data::shipping_estimate(product.price, product.weight),
        "reviews": reviews,
    })
}

/// The type a `chain` hop is on.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Product,
    User,
}

/// `name`, then (while hops remain) the reviews of this product or user and,
/// through each review, the other type.
fn chain_selection(owner: Owner, hops: usize) -> String {
    if hops == 0 {
        return "name".to_owned();
    }
    match owner {
        Owner::Product => format!(
            "name reviews {{ author {{ {} }} }}",
            chain_selection(Owner::User, hops - 1)
        ),
        Owner::User => format!(
            "name reviews {{ product {{ {} }} }}",
            chain_selection(Owner::Product, hops - 1)
        ),
    }
}

fn chain_answer(owner: Owner, key: &str, hops: usize) -> Value {
    let name = match owner {
        Owner::Product => {
            data::product(key)
                .expect("reviews name known products")
                .name
        }
        Owner::User => data::user(key).expect("reviews name known users").name,
    };
    if hops == 0 {
        return json!({ "name": name });
    }
    let reviews: Vec<Value> = REVIEWS
        .iter()
        .filter(|review| match owner {
            Owner::Product => review.product_upc == key,
            Owner::User => review.author_id == key,
        })
        .map(|review| match owner {
            Owner::Product => {
                json!({ "author": chain_answer(Owner::User, review.author_id, hops - 1) })
            }
            Owner::User => {
                json!({ "product": chain_answer(Owner::Product, review.product_upc, hops - 1) })
            }
        })
        .collect();
    json!({ "name": name, "reviews": reviews })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for text in ["deep", "page", "wide:500", "wide:12", "chain:0", "chain:8"] {
            assert_eq!(text.parse::<Workload>().unwrap().to_string(), text);
        }
        assert_eq!("wide".parse::<Workload>(), Ok(Workload::Wide(WIDE_DEFAULT)));
    }

    #[test]
    fn bad_names_are_refused() {
        for text in [
            "", "wide:0", "wide:x", "chain", "chain:99", "deep:2", "tall",
        ] {
            assert!(text.parse::<Workload>().is_err(), "{text} was accepted");
        }
    }
}
