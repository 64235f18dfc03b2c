//! Development seed: one demo account, so that a fresh `--seed` run can sign in
//! and place orders at once. Only created when no account exists.

use crate::accounts::{AccountError, Accounts, NewAccount};

/// The seeded account's id, fixed so that other services' seed data can point at it.
pub const DEMO_USER_ID: &str = "user-01";
pub const DEMO_EMAIL: &str = "demo@switchyard.dev";
/// Public on purpose: this account exists only in seeded development databases.
pub const DEMO_PASSWORD: &str = "Switchyard-demo-1";

pub async fn demo_user(accounts: &Accounts) -> Result<(), AccountError> {
    if !accounts.is_empty().await? {
        return Ok(());
    }
    let created = accounts
        .create(
            DEMO_USER_ID.to_owned(),
            NewAccount {
                email: DEMO_EMAIL.to_owned(),
                name: "Demo Shopper".to_owned(),
                password: DEMO_PASSWORD.to_owned(),
            },
        )
        .await;
    match created {
        // Another instance seeding the same database at the same time won.
        Ok(_) | Err(AccountError::EmailTaken) => Ok(()),
        Err(err) => Err(err),
    }
}
