//! GraphQL errors that carry a machine-readable `extensions.code`, so clients (and
//! the router) can tell a weak password from a duplicate e-mail without parsing text.

/// An error with `message` and `extensions: { code }`.
pub fn coded_error(code: &str, message: impl Into<String>) -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    let code = code.to_owned();
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code))
}

/// For failures the client cannot fix (database down, bug): logged in full, returned
/// without internals.
pub fn internal_error(context: &str, err: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!(%err, "{context}");
    coded_error(
        "INTERNAL_SERVER_ERROR",
        format!("{context}: internal error"),
    )
}
