//! The `playground` section: whether the playground is served, and what its
//! authorization helper offers. The router serves any supergraph, so it knows no
//! sign-in of its own: an operator may name one operation of their API that
//! returns a token, and the playground renders a form for its variables
//! ([`PlaygroundSettings`], served to the page as JSON).

use std::collections::BTreeMap;

use apollo_compiler::ast::{Definition, Document, OperationType, Selection};
use apollo_compiler::validation::DiagnosticList;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PlaygroundConfig {
    /// Serves the GraphiQL playground on `GET /` (and on `GET /graphql` for
    /// browsers asking for HTML).
    pub enabled: bool,
    /// The playground's authorization panel: a token field that sets
    /// `Authorization: Bearer <token>` in the headers editor, and optionally a
    /// sign-in operation that gets the token.
    pub auth: PlaygroundAuthConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PlaygroundAuthConfig {
    /// An operation of the served API that answers with a token (a sign-in
    /// mutation, say). The panel shows an input per variable, runs it, and puts
    /// the token into the headers editor. Without it the panel has only the
    /// token field.
    pub sign_in: Option<SignInConfig>,
}

/// The operation the playground's sign-in form runs. All of it is served to
/// every browser that opens the playground: name only public demo values as
/// `default`s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    /// The GraphQL text of exactly one query or mutation (fragments allowed),
    /// with a variable for each value the person types, for example
    /// `mutation LogIn($user: String!, $password: String!) { logIn(user: $user,
    /// password: $password) { token } }`.
    pub operation: String,
    /// Where the token is in the answer's `data`: response keys joined by dots,
    /// for example `logIn.token`. Must end at a leaf field the operation
    /// selects.
    pub token_path: String,
    /// A line shown above the form (for example which demo account exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Per variable of the operation, by name: a prefilled value and whether the
    /// input hides what is typed. Variables not listed get an empty input.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, SignInVariableConfig>,
}

/// The form's input for one variable of the sign-in operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SignInVariableConfig {
    /// The text the input starts with (public: sent to every browser).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// A password input: what is typed is not shown.
    pub secret: bool,
}

/// What the playground page reads from `/playground/settings.json` (keys as in
/// the config file).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaygroundSettings {
    pub auth: AuthSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthSettings {
    pub sign_in: Option<SignInForm>,
}

/// The sign-in operation as the panel needs it: parsed once by the router, so
/// the page needs no GraphQL parser of its own to render the form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignInForm {
    pub operation: String,
    pub operation_name: Option<String>,
    pub token_path: Vec<String>,
    pub hint: Option<String>,
    pub variables: Vec<SignInVariable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignInVariable {
    pub name: String,
    /// The GraphQL type as written, for example `String!` or `[ID!]`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Non-null without a default in the operation: the form asks for it.
    pub required: bool,
    pub default: Option<String>,
    pub secret: bool,
}

impl PlaygroundConfig {
    /// The settings the page reads; an error names what is wrong with the
    /// sign-in operation (checked when the config is loaded).
    pub fn settings(&self) -> Result<PlaygroundSettings, String> {
        let sign_in = match &self.auth.sign_in {
            Some(config) => Some(
                config
                    .form()
                    .map_err(|message| format!("playground.auth.sign_in: {message}"))?,
            ),
            None => None,
        };
        Ok(PlaygroundSettings {
            auth: AuthSettings { sign_in },
        })
    }
}

impl SignInConfig {
    /// Parses the operation (syntax and what can be checked without a schema:
    /// one operation, every variable defined and used, fragments known) and
    /// checks that `token_path` and `variables` refer to it.
    pub fn form(&self) -> Result<SignInForm, String> {
        let document = Document::parse(self.operation.as_str(), "playground.auth.sign_in")
            .map_err(|with_errors| {
                format!(
                    "`operation` does not parse: {}",
                    one_line(&with_errors.errors)
                )
            })?;
        document
            .validate_standalone_executable()
            .map_err(|errors| {
                format!(
                    "`operation` is not a valid operation: {}",
                    one_line(&errors)
                )
            })?;
        let mut operations = document.definitions.iter().filter_map(|d| match d {
            Definition::OperationDefinition(operation) => Some(operation),
            _ => None,
        });
        let (Some(operation), None) = (operations.next(), operations.next()) else {
            return Err("`operation` must hold exactly one operation".into());
        };
        if operation.operation_type == OperationType::Subscription {
            return Err("`operation` must be a query or a mutation, not a subscription".into());
        }
        let token_path: Vec<String> = self.token_path.split('.').map(str::to_owned).collect();
        if token_path.iter().any(|key| key.trim().is_empty()) {
            return Err(format!(
                "`token_path` {:?} must be response keys joined by dots, such as logIn.token",
                self.token_path
            ));
        }
        check_token_path(&document, &operation.selection_set, &token_path)?;
        if let Some(unknown) = self
            .variables
            .keys()
            .find(|name| !operation.variables.iter().any(|v| v.name == name.as_str()))
        {
            return Err(format!(
                "`variables` names ${unknown}, which the operation does not define"
            ));
        }
        let variables = operation
            .variables
            .iter()
            .map(|variable| {
                let configured = self.variables.get(variable.name.as_str());
                SignInVariable {
                    name: variable.name.to_string(),
                    ty: variable.ty.to_string(),
                    required: variable.ty.is_non_null() && variable.default_value.is_none(),
                    default: configured.and_then(|c| c.default.clone()),
                    secret: configured.is_some_and(|c| c.secret),
                }
            })
            .collect();
        Ok(SignInForm {
            operation: self.operation.clone(),
            operation_name: operation.name.as_ref().map(|name| name.to_string()),
            token_path,
            hint: self.hint.clone(),
            variables,
        })
    }
}

/// Follows `path` through the operation's selections (into inline fragments and
/// named fragments too): each key must be a selected field's response key, and
/// the last one a leaf, or the token could never be found in an answer.
fn check_token_path(
    document: &Document,
    selections: &[Selection],
    path: &[String],
) -> Result<(), String> {
    let Some((key, rest)) = path.split_first() else {
        return Ok(());
    };
    let mut candidates = Vec::new();
    collect_fields(document, selections, key, &mut candidates, 0);
    if candidates.is_empty() {
        return Err(format!(
            "`token_path`: the operation selects no `{key}` there (a response key: the \
             alias if there is one)"
        ));
    }
    let leaf = candidates.iter().all(Vec::is_empty);
    match (rest.is_empty(), leaf) {
        (true, true) => Ok(()),
        (true, false) => Err(format!(
            "`token_path` ends at `{key}`, which has a selection set: it must end at the \
             token's leaf field"
        )),
        (false, true) => Err(format!(
            "`token_path` goes past `{key}`, which selects nothing"
        )),
        (false, false) => {
            // Merged selections: the same key selected twice (say, in a fragment too).
            let merged: Vec<Selection> = candidates.into_iter().flatten().collect();
            check_token_path(document, &merged, rest)
        }
    }
}

/// The selection sets of the fields answering under `key` in `selections`.
/// `depth` bounds fragment spreads that include each other (a cycle is already
/// refused by validation; the bound keeps this safe regardless).
fn collect_fields(
    document: &Document,
    selections: &[Selection],
    key: &str,
    found: &mut Vec<Vec<Selection>>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for selection in selections {
        match selection {
            Selection::Field(field) if field.response_name() == key => {
                found.push(field.selection_set.clone());
            }
            Selection::Field(_) => {}
            Selection::InlineFragment(fragment) => {
                collect_fields(document, &fragment.selection_set, key, found, depth + 1);
            }
            Selection::FragmentSpread(spread) => {
                let definition = document.definitions.iter().find_map(|d| match d {
                    Definition::FragmentDefinition(f) if f.name == spread.fragment_name => Some(f),
                    _ => None,
                });
                if let Some(fragment) = definition {
                    collect_fields(document, &fragment.selection_set, key, found, depth + 1);
                }
            }
        }
    }
}

/// The diagnostics as one line (a config error ends in one line on stderr):
/// each message with where it is in the operation's text.
fn one_line(errors: &DiagnosticList) -> String {
    let messages: Vec<String> = errors
        .iter()
        .map(|diagnostic| {
            let error = diagnostic.to_json();
            match error.locations.first() {
                Some(at) => format!("{} (line {}, column {})", error.message, at.line, at.column),
                None => error.message,
            }
        })
        .collect();
    messages.join("; ")
}
