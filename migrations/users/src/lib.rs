//! Schema of the users service: its accounts and the key it signs tokens with.
//! Only the users service reads or writes these tables.

use sea_orm_migration::prelude::*;

mod m20251126_000001_create_users;
mod m20251126_000002_create_signing_keys;
mod m20261206_000003_add_user_role;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20251126_000001_create_users::Migration),
            Box::new(m20251126_000002_create_signing_keys::Migration),
            Box::new(m20261206_000003_add_user_role::Migration),
        ]
    }
}
