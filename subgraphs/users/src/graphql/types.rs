//! GraphQL object and input types. `User` wraps its row, which carries the password
//! hash, and resolves only the fields below: the hash has no way into a response.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use shop_common::Caller;
use shop_common::auth::{personal_field_error, scopes};

use crate::accounts::{NewAccount, Session};
use crate::entities::user;

/// A shop customer. Other subgraphs reference users by `id`.
pub struct User {
    row: user::Model,
    /// Set for the account a sign-up or sign-in just authenticated: that request
    /// carries no token yet, but its caller has just proven to be the user.
    signed_in: bool,
}

/// A shop customer. Other subgraphs reference users by `id`.
#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }

    /// Normalised to lower case. Personal: visible to the user themselves, admins
    /// and services; null with a `FORBIDDEN` error for anyone else.
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        if self.signed_in || Caller::from_ctx(ctx).may_read(&self.row.id, scopes::USERS_READ) {
            Ok(Some(&self.row.email))
        } else {
            Err(personal_field_error("User.email"))
        }
    }

    async fn name(&self) -> &str {
        &self.row.name
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
}

impl From<user::Model> for User {
    fn from(row: user::Model) -> Self {
        Self {
            row,
            signed_in: false,
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
            user: User {
                row: session.user,
                signed_in: true,
            },
        }
    }
}

#[derive(InputObject)]
pub struct SignUpInput {
    /// Unique regardless of case.
    pub email: String,
    /// 1 to 100 characters after trimming.
    pub name: String,
    /// 10 to 256 characters, no control characters, and hard to guess: not a
    /// common password or a variation of one, nor the e-mail address or name. No
    /// rules about character classes: a long phrase of words is a good password.
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
