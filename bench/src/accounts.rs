//! The accounts subgraph: owns `User` (`@key(fields: "id")`).

use async_graphql::{EmptyMutation, EmptySubscription, ID, Object, Schema};

use crate::data;

pub type AccountsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub fn schema() -> AccountsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

pub struct User(&'static data::User);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.to_owned())
    }

    async fn name(&self) -> Option<&str> {
        Some(self.0.name)
    }

    async fn username(&self) -> Option<&str> {
        Some(self.0.username)
    }

    async fn birthday(&self) -> Option<i32> {
        Some(self.0.birthday)
    }
}

pub struct Query;

#[Object]
impl Query {
    /// The signed-in user; the benchmark has no sessions, so always the first.
    async fn me(&self) -> Option<User> {
        data::USERS.first().map(User)
    }

    async fn user(&self, id: ID) -> Option<User> {
        data::user(&id).map(User)
    }

    async fn users(&self) -> Option<Vec<Option<User>>> {
        Some(data::USERS.iter().map(|user| Some(User(user))).collect())
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Option<User> {
        data::user(&id).map(User)
    }
}
