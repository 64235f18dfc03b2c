//! Development seed: a demo customer, so that a fresh `--seed` run can sign in and
//! place orders at once, and an admin, for the staff operations (restocking). Only
//! created when no account exists.

use crate::accounts::{AccountError, Accounts, NewAccount};
use crate::entities::user::UserRole;

/// The seeded customer's id, fixed so that other services' seed data can point at it.
pub const DEMO_USER_ID: &str = "user-01";
pub const DEMO_EMAIL: &str = "demo@switchyard.dev";
/// Public on purpose: this account exists only in seeded development databases.
pub const DEMO_PASSWORD: &str = "Switchyard-demo-1";

/// The seeded admin.
pub const ADMIN_USER_ID: &str = "admin-01";
pub const ADMIN_EMAIL: &str = "admin@switchyard.dev";
/// Public on purpose, like [`DEMO_PASSWORD`]: never seed a production database.
pub const ADMIN_PASSWORD: &str = "Switchyard-admin-1";

pub async fn development_accounts(accounts: &Accounts) -> Result<(), AccountError> {
    if !accounts.is_empty().await? {
        return Ok(());
    }
    let seeded = [
        (
            DEMO_USER_ID,
            DEMO_EMAIL,
            "Demo Shopper",
            DEMO_PASSWORD,
            UserRole::Customer,
        ),
        (
            ADMIN_USER_ID,
            ADMIN_EMAIL,
            "Shop Admin",
            ADMIN_PASSWORD,
            UserRole::Admin,
        ),
    ];
    for (id, email, name, password, role) in seeded {
        let account = NewAccount {
            email: email.to_owned(),
            name: name.to_owned(),
            password: password.to_owned(),
        };
        match accounts.create(id.to_owned(), account, role).await {
            // Another instance seeding the same database at the same time won.
            Ok(_) | Err(AccountError::EmailTaken) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}
