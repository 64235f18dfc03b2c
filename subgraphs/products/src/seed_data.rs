//! The demo catalog: 36 products, `prod-01` … `prod-36`, six per category.
//!
//! Ids are fixed so that every service (inventory's stock, orders' fixtures) can
//! refer to the same products without asking this one.

/// One catalog row as seeded. Prices are USD cents, weights grams.
pub struct SeedProduct {
    pub id: &'static str,
    pub sku: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub price_cents: i64,
    pub weight_grams: i32,
    pub category: &'static str,
}

/// Currency of every seeded price.
pub const SEED_CURRENCY: &str = "USD";

const fn p(
    id: &'static str,
    sku: &'static str,
    name: &'static str,
    description: &'static str,
    price_cents: i64,
    weight_grams: i32,
    category: &'static str,
) -> SeedProduct {
    SeedProduct {
        id,
        sku,
        name,
        description,
        price_cents,
        weight_grams,
        category,
    }
}

pub const SEED_PRODUCTS: &[SeedProduct] = &[
    // books
    p(
        "prod-01",
        "BK-1001",
        "The Pragmatic Gardener",
        "A hardcover field guide to growing vegetables in small spaces, with seasonal planting calendars.",
        2999,
        780,
        "books",
    ),
    p(
        "prod-02",
        "BK-1002",
        "Rust in Practice",
        "Paperback on building reliable network services in Rust, from ownership to async runtimes.",
        4499,
        920,
        "books",
    ),
    p(
        "prod-03",
        "BK-1003",
        "Salt and Smoke",
        "A cookbook of open-fire recipes, from cast iron breakfasts to slow-smoked brisket.",
        3499,
        1100,
        "books",
    ),
    p(
        "prod-04",
        "BK-1004",
        "Trails of the High Sierra",
        "Pocket trail guide with 60 day hikes, elevation profiles and water sources.",
        1899,
        340,
        "books",
    ),
    p(
        "prod-05",
        "BK-1005",
        "The Little Robot Who Could",
        "Illustrated picture book for ages 3 to 6 about a robot learning to paint.",
        1499,
        410,
        "books",
    ),
    p(
        "prod-06",
        "BK-1006",
        "Distributed Systems Notes",
        "Lecture notes on consensus, replication and failure detection, spiral bound.",
        3999,
        650,
        "books",
    ),
    // kitchen
    p(
        "prod-07",
        "KT-2001",
        "Gooseneck Kettle",
        "Stainless steel pour-over kettle with a built-in thermometer and a 1 litre capacity.",
        5499,
        900,
        "kitchen",
    ),
    p(
        "prod-08",
        "KT-2002",
        "Cast Iron Skillet 10in",
        "Pre-seasoned cast iron pan that goes from stovetop to oven to campfire.",
        3999,
        2300,
        "kitchen",
    ),
    p(
        "prod-09",
        "KT-2003",
        "Chef's Knife 8in",
        "High-carbon stainless chef knife with a full tang and a walnut handle.",
        8999,
        240,
        "kitchen",
    ),
    p(
        "prod-10",
        "KT-2004",
        "Bamboo Cutting Board",
        "Large reversible bamboo board with a juice groove; gentle on knife edges.",
        2499,
        1500,
        "kitchen",
    ),
    p(
        "prod-11",
        "KT-2005",
        "Ceramic Pour-Over Dripper",
        "Single-cup coffee dripper; pair it with a gooseneck kettle for an even bloom.",
        2299,
        380,
        "kitchen",
    ),
    p(
        "prod-12",
        "KT-2006",
        "Dutch Oven 5qt",
        "Enamelled cast iron pot for braises, stews and no-knead bread.",
        11999,
        5200,
        "kitchen",
    ),
    // outdoor
    p(
        "prod-13",
        "OD-3001",
        "Two-Person Backpacking Tent",
        "Freestanding three-season tent, 1.6 kg, with two doors and two vestibules.",
        27999,
        1600,
        "outdoor",
    ),
    p(
        "prod-14",
        "OD-3002",
        "Compact Camping Stove",
        "Canister stove that boils water for the morning kettle in under four minutes.",
        4999,
        310,
        "outdoor",
    ),
    p(
        "prod-15",
        "OD-3003",
        "Rechargeable LED Lantern",
        "USB-C lantern with 400 lumens, warm and cool modes and 30 hours of runtime.",
        3499,
        420,
        "outdoor",
    ),
    p(
        "prod-16",
        "OD-3004",
        "Down Sleeping Bag",
        "800-fill down mummy bag rated to -7 C, packs to the size of a loaf of bread.",
        32999,
        1100,
        "outdoor",
    ),
    p(
        "prod-17",
        "OD-3005",
        "Trekking Poles (pair)",
        "Carbon fibre collapsible poles with cork grips and flick locks.",
        12999,
        480,
        "outdoor",
    ),
    p(
        "prod-18",
        "OD-3006",
        "Water Filter Bottle",
        "Squeeze bottle with a hollow-fibre filter for streams and lakes.",
        3999,
        200,
        "outdoor",
    ),
    // electronics
    p(
        "prod-19",
        "EL-4001",
        "Noise-Cancelling Headphones",
        "Over-ear wireless headphones with 30 hours of battery and adaptive noise cancelling.",
        24999,
        250,
        "electronics",
    ),
    p(
        "prod-20",
        "EL-4002",
        "Mechanical Keyboard",
        "Tenkeyless keyboard with hot-swappable switches and a USB-C cable.",
        10999,
        850,
        "electronics",
    ),
    p(
        "prod-21",
        "EL-4003",
        "Portable Power Bank 20000mAh",
        "Charges a phone five times over; 65 W USB-C output for laptops.",
        5999,
        430,
        "electronics",
    ),
    p(
        "prod-22",
        "EL-4004",
        "Smart Thermostat",
        "Learning thermostat that schedules heating around when you are home.",
        17999,
        350,
        "electronics",
    ),
    p(
        "prod-23",
        "EL-4005",
        "E-Reader Paperwhite",
        "Glare-free 7 inch e-ink reader, waterproof, holds thousands of books.",
        14999,
        205,
        "electronics",
    ),
    p(
        "prod-24",
        "EL-4006",
        "Bluetooth Speaker",
        "Rugged waterproof speaker with 12 hours of playback, ideal for the campsite.",
        7999,
        540,
        "electronics",
    ),
    // toys
    p(
        "prod-25",
        "TY-5001",
        "Wooden Train Set",
        "52-piece beech wood railway with bridges, tunnels and magnetic carriages.",
        6999,
        2100,
        "toys",
    ),
    p(
        "prod-26",
        "TY-5002",
        "Build-Your-Own Robot Kit",
        "Snap-together robot with motors and sensors, programmable from a tablet.",
        8999,
        1200,
        "toys",
    ),
    p(
        "prod-27",
        "TY-5003",
        "Plush Red Panda",
        "Soft 30 cm plush toy, machine washable, safe for all ages.",
        2499,
        300,
        "toys",
    ),
    p(
        "prod-28",
        "TY-5004",
        "1000-Piece Jigsaw Puzzle",
        "Mountain lake landscape puzzle printed on thick recycled board.",
        1999,
        700,
        "toys",
    ),
    p(
        "prod-29",
        "TY-5005",
        "Marble Run Deluxe",
        "120-piece marble run with spirals, elevators and a bell finish.",
        5499,
        1900,
        "toys",
    ),
    p(
        "prod-30",
        "TY-5006",
        "Kids' Paint Easel",
        "Double-sided easel with a chalkboard, a whiteboard and a paper roll.",
        7499,
        6500,
        "toys",
    ),
    // garden
    p(
        "prod-31",
        "GD-6001",
        "Raised Garden Bed",
        "Galvanised steel bed, 180 x 90 cm, for vegetables and herbs.",
        12999,
        14000,
        "garden",
    ),
    p(
        "prod-32",
        "GD-6002",
        "Pruning Shears",
        "Bypass pruners with a sap groove and a locking, spring-loaded handle.",
        2999,
        250,
        "garden",
    ),
    p(
        "prod-33",
        "GD-6003",
        "Heirloom Seed Collection",
        "Twenty packets of open-pollinated vegetable seeds with a planting guide.",
        3499,
        150,
        "garden",
    ),
    p(
        "prod-34",
        "GD-6004",
        "Expandable Garden Hose 50ft",
        "Lightweight hose that expands to 15 m with a 9-pattern spray nozzle.",
        3999,
        1300,
        "garden",
    ),
    p(
        "prod-35",
        "GD-6005",
        "Compost Tumbler",
        "Dual-chamber rotating composter that turns kitchen scraps into compost in weeks.",
        9999,
        11000,
        "garden",
    ),
    p(
        "prod-36",
        "GD-6006",
        "Solar Path Lights (8 pack)",
        "Stainless steel stake lights that charge by day and glow for eight hours.",
        4499,
        1600,
        "garden",
    ),
];

/// The ids of the seeded products, in order: `prod-01` … `prod-36`.
pub fn seed_product_ids() -> impl Iterator<Item = &'static str> {
    SEED_PRODUCTS.iter().map(|product| product.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_shared_pattern() {
        let ids: Vec<_> = seed_product_ids().collect();
        assert_eq!(ids.len(), 36);
        for (index, id) in ids.iter().enumerate() {
            assert_eq!(*id, format!("prod-{:02}", index + 1));
        }
        let categories: std::collections::BTreeSet<_> = SEED_PRODUCTS
            .iter()
            .map(|product| product.category)
            .collect();
        assert!(categories.len() >= 5);
        let skus: std::collections::BTreeSet<_> =
            SEED_PRODUCTS.iter().map(|product| product.sku).collect();
        assert_eq!(skus.len(), 36);
    }
}
