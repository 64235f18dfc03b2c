//! `Money` is the `@shareable` type every subgraph that uses money shares; it is
//! defined once in `shop_common`.

pub use shop_common::money::Money;
