//! The benchmark's data set: 6 users, 9 products and 11 reviews, fixed in code so
//! every run (and every gateway) sees byte-identical subgraph answers.
//!
//! Review bodies are long paragraphs: the workload visits each review many
//! times, and the body length is what sizes the response to about 87 KB, the
//! size of the reference benchmark's answer.

pub struct User {
    pub id: &'static str,
    pub name: &'static str,
    pub username: &'static str,
    pub birthday: i32,
}

pub struct Product {
    pub upc: &'static str,
    pub name: &'static str,
    pub price: i32,
    pub weight: i32,
}

pub struct Review {
    pub id: &'static str,
    pub author_id: &'static str,
    pub product_upc: &'static str,
    /// Index of the paragraph in [`PARAGRAPHS`] the body starts from.
    pub text: usize,
}

pub const USERS: [User; 6] = [
    User {
        id: "1",
        name: "Uri Goldshtein",
        username: "urigo",
        birthday: 1234567890,
    },
    User {
        id: "2",
        name: "Dotan Simha",
        username: "dotansimha",
        birthday: 1234567890,
    },
    User {
        id: "3",
        name: "Kamil Kisiela",
        username: "kamilkisiela",
        birthday: 1234567890,
    },
    User {
        id: "4",
        name: "Arda Tanrikulu",
        username: "ardatan",
        birthday: 1234567890,
    },
    User {
        id: "5",
        name: "Gil Gardosh",
        username: "gilgardosh",
        birthday: 1234567890,
    },
    User {
        id: "6",
        name: "Laurin Quast",
        username: "laurin",
        birthday: 1234567890,
    },
];

pub const PRODUCTS: [Product; 9] = [
    Product {
        upc: "1",
        name: "Table",
        price: 899,
        weight: 100,
    },
    Product {
        upc: "2",
        name: "Couch",
        price: 1299,
        weight: 1000,
    },
    Product {
        upc: "3",
        name: "Glass",
        price: 15,
        weight: 20,
    },
    Product {
        upc: "4",
        name: "Chair",
        price: 499,
        weight: 100,
    },
    Product {
        upc: "5",
        name: "TV",
        price: 1299,
        weight: 1000,
    },
    Product {
        upc: "6",
        name: "Lamp",
        price: 6999,
        weight: 300,
    },
    Product {
        upc: "7",
        name: "Grill",
        price: 3999,
        weight: 2000,
    },
    Product {
        upc: "8",
        name: "Fridge",
        price: 100000,
        weight: 6000,
    },
    Product {
        upc: "9",
        name: "Sofa",
        price: 599,
        weight: 800,
    },
];

pub const REVIEWS: [Review; 11] = [
    Review {
        id: "1",
        author_id: "1",
        product_upc: "1",
        text: 0,
    },
    Review {
        id: "2",
        author_id: "1",
        product_upc: "2",
        text: 1,
    },
    Review {
        id: "3",
        author_id: "2",
        product_upc: "3",
        text: 2,
    },
    Review {
        id: "4",
        author_id: "2",
        product_upc: "1",
        text: 3,
    },
    Review {
        id: "5",
        author_id: "3",
        product_upc: "2",
        text: 4,
    },
    Review {
        id: "6",
        author_id: "3",
        product_upc: "4",
        text: 5,
    },
    Review {
        id: "7",
        author_id: "4",
        product_upc: "5",
        text: 0,
    },
    Review {
        id: "8",
        author_id: "4",
        product_upc: "6",
        text: 1,
    },
    Review {
        id: "9",
        author_id: "5",
        product_upc: "7",
        text: 2,
    },
    Review {
        id: "10",
        author_id: "5",
        product_upc: "8",
        text: 3,
    },
    Review {
        id: "11",
        author_id: "6",
        product_upc: "9",
        text: 4,
    },
];

/// Characters per review body; chosen so the workload response is about 87 KB.
pub const BODY_LEN: usize = 1016;

const PARAGRAPHS: [&str; 6] = [
    "Sturdy, well finished and exactly as pictured. Assembly took twenty minutes with the included tools and the instructions were clear enough that I never had to guess which bolt went where. ",
    "I was sceptical about the price at first, but after three months of daily use it still looks new. The delivery was quick, the packaging was mostly recyclable cardboard, and support answered within a day. ",
    "Not perfect: the colour is a shade darker than on the website and one of the feet wobbled until I tightened it again. Apart from that it does what it promises and my family uses it every single evening. ",
    "Bought this as a gift for my parents and they love it. It fits the small living room well, it is easy to clean, and nothing has squeaked or scratched yet. I would happily buy from this shop again. ",
    "Compared with the two cheaper models I returned, this one is in a different league. The materials feel solid, the edges are smooth, and the measurements in the listing were accurate to the millimetre. ",
    "Five stars for the product, four for the shipping estimate, which was a day optimistic. Still, the courier called ahead, carried it upstairs and took the old one away, which made up for the wait. ",
];

impl Review {
    /// The review's body: the paragraphs from `text` on, cycled, cut at
    /// [`BODY_LEN`] characters (all ASCII, so bytes are characters).
    pub fn body(&self) -> String {
        let mut body = String::with_capacity(BODY_LEN);
        let mut index = self.text;
        while body.len() < BODY_LEN {
            body.push_str(PARAGRAPHS[index % PARAGRAPHS.len()]);
            index += 1;
        }
        body.truncate(BODY_LEN);
        body.truncate(body.trim_end().len());
        body
    }
}

pub fn user(id: &str) -> Option<&'static User> {
    USERS.iter().find(|user| user.id == id)
}

pub fn product(upc: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|product| product.upc == upc)
}

/// How many products `topProducts` can list: the nine named ones, then made-up
/// ones (see [`listed_product`]). Bounds what one request can ask of the
/// subgraph.
pub const CATALOGUE_LEN: usize = 100_000;

/// A product as the products subgraph lists it: one of [`PRODUCTS`], or one
/// made up from its position so that `topProducts(first: N)` can answer the
/// wide-list workloads with hundreds or thousands of entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedProduct {
    pub upc: String,
    pub name: String,
    pub price: i32,
    pub weight: i32,
}

impl From<&Product> for ListedProduct {
    fn from(product: &Product) -> Self {
        ListedProduct {
            upc: product.upc.to_owned(),
            name: product.name.to_owned(),
            price: product.price,
            weight: product.weight,
        }
    }
}

/// The catalogue's `index`-th product (0-based): the named products first, then
/// `Product 10`, `Product 11`, ... (upc `10`, `11`, ...), whose price and weight
/// are spread by fixed multipliers so shipping estimates vary.
pub fn catalogue_product(index: usize) -> Option<ListedProduct> {
    if index >= CATALOGUE_LEN {
        return None;
    }
    if let Some(product) = PRODUCTS.get(index) {
        return Some(product.into());
    }
    let number = index + 1;
    // Both values stay far below i32::MAX: index < CATALOGUE_LEN.
    let spread = |multiplier: usize, range: usize| (10 + (index * multiplier) % range) as i32;
    Some(ListedProduct {
        upc: number.to_string(),
        name: format!("Product {number}"),
        price: spread(7_919, 5_000),
        weight: spread(104_729, 3_000),
    })
}

/// The catalogue product with this upc.
pub fn listed_product(upc: &str) -> Option<ListedProduct> {
    if let Some(product) = product(upc) {
        return Some(product.into());
    }
    let number: usize = upc.parse().ok()?;
    // Only the canonical spelling: "010" is not product 10.
    if number.to_string() != upc || number <= PRODUCTS.len() {
        return None;
    }
    catalogue_product(number - 1)
}

/// Inventory's answer for `Product.inStock`: every product but the fridge
/// (upc 8) is in stock.
pub fn in_stock(upc: &str) -> bool {
    upc != "8"
}

/// Inventory's answer for `Product.shippingEstimate`: free above a price of
/// 1000, otherwise half the weight.
pub fn shipping_estimate(price: i32, weight: i32) -> i32 {
    if price > 1000 { 0 } else { weight / 2 }
}
