//! A row of `users`. `email` is always the normalised (lower-case) address.

use sea_orm::entity::prelude::*;
use shop_common::auth::Role;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    /// Argon2id PHC string; never leaves this service.
    pub password_hash: String,
    pub created_at: DateTimeUtc,
    pub role: UserRole,
}

/// Stored as `customer` or `admin`; tokens carry it as [`Role`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum UserRole {
    #[sea_orm(string_value = "customer")]
    Customer,
    #[sea_orm(string_value = "admin")]
    Admin,
}

impl From<UserRole> for Role {
    fn from(role: UserRole) -> Role {
        match role {
            UserRole::Customer => Role::Customer,
            UserRole::Admin => Role::Admin,
        }
    }
}

/// Written by hand so that logging a user can never print the password hash.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("password_hash", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("role", &self.role)
            .finish()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
