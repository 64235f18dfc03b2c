//! GraphQL object and input types; rows are converted here so that the password
//! hash, which the row carries, has no way into a response.

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};

use crate::accounts::{NewAccount, Session};
use crate::entities::user;

/// A shop customer. Other subgraphs reference users by `id`.
#[derive(SimpleObject)]
pub struct User {
    pub id: ID,
    /// Normalised to lower case.
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<user::Model> for User {
    fn from(row: user::Model) -> Self {
        Self {
            id: ID(row.id),
            email: row.email,
            name: row.name,
            created_at: row.created_at,
        }
    }
}

/// A signed-in session: send `token` as `Authorization: Bearer <token>`.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// An EdDSA-signed JWT; verify it with the keys at `/.well-known/jwks.json`.
    pub token: String,
    pub user: User,
}

impl From<Session> for AuthPayload {
    fn from(session: Session) -> Self {
        Self {
            token: session.token,
            user: session.user.into(),
        }
    }
}

#[derive(InputObject)]
pub struct SignUpInput {
    /// Unique regardless of case.
    pub email: String,
    /// 1 to 100 characters after trimming.
    pub name: String,
    /// At least 10 characters with 3 of: lower-case, upper-case, digit, symbol.
    #[graphql(secret)]
    pub password: String,
}

impl From<SignUpInput> for NewAccount {
    fn from(input: SignUpInput) -> Self {
        Self {
            email: input.email,
            name: input.name,
            password: input.password,
        }
    }
}
