//! What the shop's playground offers beyond the router's generic panels: the
//! shop's own sign-in operation for the authorization panel. The router knows
//! nothing of the shop; this is where the shop tells it (through
//! `playground.auth.sign_in` in the router config).

use switchyard::config::{SignInConfig, SignInVariableConfig};

/// The users service's `signIn`, whose answer carries a customer's token.
const SIGN_IN: &str = "mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { token }
}";

/// The shop's sign-in form. `seeded`: the development seed's demo customer
/// exists, so the form names it and starts filled in with its public
/// credentials; otherwise the inputs start empty.
pub fn sign_in(seeded: bool) -> SignInConfig {
    let demo = |value: &str| seeded.then(|| value.to_owned());
    SignInConfig {
        operation: SIGN_IN.to_owned(),
        token_path: "signIn.token".to_owned(),
        hint: seeded.then(|| {
            format!(
                "The development seed's customer: {} / {}.",
                shop_users::DEMO_EMAIL,
                shop_users::DEMO_PASSWORD,
            )
        }),
        variables: [
            (
                "email".to_owned(),
                SignInVariableConfig {
                    default: demo(shop_users::DEMO_EMAIL),
                    secret: false,
                },
            ),
            (
                "password".to_owned(),
                SignInVariableConfig {
                    default: demo(shop_users::DEMO_PASSWORD),
                    secret: true,
                },
            ),
        ]
        .into(),
    }
}
