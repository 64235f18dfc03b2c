//! Signing up and signing in: the rules, the hashing and the storage of accounts,
//! independent of GraphQL (the schema only maps these results to its types).

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set, SqlErr};
use shop_common::client_ip::ClientIp;

use crate::entities::user::{self, UserRole};
use crate::limits::{Limiters, RateLimited};
use crate::password::{PasswordError, Passwords};
use crate::tokens::{TokenError, TokenIssuer};
use crate::validation::{self, InvalidInput};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    #[error("an account with this e-mail address already exists")]
    EmailTaken,
    /// Same error for an unknown e-mail and a wrong password: which one it was
    /// would tell an attacker which addresses have accounts.
    #[error("invalid e-mail or password")]
    InvalidCredentials,
    #[error(transparent)]
    RateLimited(#[from] RateLimited),
    #[error("no account with the e-mail address {0}")]
    NoSuchAccount(String),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// What a successful sign-up or sign-in gives the client.
pub struct Session {
    pub token: String,
    pub user: user::Model,
}

/// What sign-up needs; the password is moved into the hashing task and dropped.
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub password: String,
}

pub struct Accounts {
    db: DatabaseConnection,
    passwords: Passwords,
    tokens: TokenIssuer,
    limiters: Limiters,
}

impl Accounts {
    pub fn new(
        db: DatabaseConnection,
        passwords: Passwords,
        tokens: TokenIssuer,
        limiters: Limiters,
    ) -> Self {
        Self {
            db,
            passwords,
            tokens,
            limiters,
        }
    }

    /// Creates a customer account and signs it in. Uniqueness of the e-mail is
    /// decided by the database's unique index at insert time, so two concurrent
    /// sign-ups for one address give one account and one `EmailTaken`. Every
    /// attempt counts against the client's sign-up limit.
    pub async fn sign_up(
        &self,
        input: NewAccount,
        client: ClientIp,
    ) -> Result<Session, AccountError> {
        self.limiters.sign_up(client)?;
        self.create(new_id(), input, UserRole::Customer).await
    }

    /// Creates an account with a given id and role (the seeded development
    /// accounts keep their ids from run to run) and signs it in.
    pub async fn create(
        &self,
        id: String,
        input: NewAccount,
        role: UserRole,
    ) -> Result<Session, AccountError> {
        let email = validation::email(&input.email)?;
        let name = validation::name(&input.name)?;
        validation::password(&input.password, &email, &name)?;
        let password_hash = self.passwords.hash(input.password).await?;
        let row = user::Model {
            id,
            email,
            name,
            password_hash,
            created_at: now_to_micros(),
            role,
        };
        let active = user::ActiveModel {
            id: Set(row.id.clone()),
            email: Set(row.email.clone()),
            name: Set(row.name.clone()),
            password_hash: Set(row.password_hash.clone()),
            created_at: Set(row.created_at),
            role: Set(row.role),
        };
        match user::Entity::insert(active)
            .exec_without_returning(&self.db)
            .await
        {
            Ok(_) => {}
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(AccountError::EmailTaken);
            }
            Err(err) => return Err(err.into()),
        }
        tracing::info!(user_id = %row.id, "account created");
        self.session(row)
    }

    /// Checks the password and signs the account in. An unknown e-mail still
    /// costs one hash verification, so timing does not reveal it either, and counts
    /// as a failure like a wrong password. Refused without checking anything while
    /// the account or the client has failed too often.
    pub async fn sign_in(
        &self,
        email: &str,
        password: String,
        client: ClientIp,
    ) -> Result<Session, AccountError> {
        let email = validation::normalize_email(email);
        self.limiters.may_sign_in(&email, client)?;
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await?;
        let stored = found.as_ref().map(|user| user.password_hash.clone());
        if !self.passwords.verify(password, stored).await? {
            self.limiters.sign_in_failed(&email, client);
            return Err(AccountError::InvalidCredentials);
        }
        let user = found.ok_or(AccountError::InvalidCredentials)?;
        self.session(user)
    }

    pub async fn find(&self, id: &str) -> Result<Option<user::Model>, DbErr> {
        user::Entity::find_by_id(id).one(&self.db).await
    }

    /// The users among `ids` that exist, in no particular order.
    pub async fn find_many(&self, ids: &[String]) -> Result<Vec<user::Model>, DbErr> {
        user::Entity::find()
            .filter(user::Column::Id.is_in(ids.iter().cloned()))
            .all(&self.db)
            .await
    }

    /// Whether no account exists yet (seeding only fills an empty table).
    pub async fn is_empty(&self) -> Result<bool, DbErr> {
        use sea_orm::PaginatorTrait;
        Ok(user::Entity::find().count(&self.db).await? == 0)
    }

    fn session(&self, user: user::Model) -> Result<Session, AccountError> {
        let token = self.tokens.issue(&user.id, &user.email, user.role.into())?;
        Ok(Session { token, user })
    }
}

/// Ids are UUID v7: unique without coordination and ordered by creation time,
/// which keeps the primary key index append-mostly.
fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current time at the precision both backends store (PostgreSQL keeps
/// microseconds), so the `createdAt` returned by sign-up equals the one read later.
fn now_to_micros() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}

/// Makes the account of `email` an admin (an operator's decision, from the command
/// line: `users grant-admin EMAIL`); its next token carries the role.
pub async fn grant_admin(
    db: &DatabaseConnection,
    email: &str,
) -> Result<user::Model, AccountError> {
    let email = validation::normalize_email(email);
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .ok_or(AccountError::NoSuchAccount(email))?;
    let mut row: user::ActiveModel = found.into();
    row.role = Set(UserRole::Admin);
    Ok(sea_orm::ActiveModelTrait::update(row, db).await?)
}
