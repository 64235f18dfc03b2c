//! Authorization at the router: deciding which of an operation's
//! `@authenticated`, `@requiresScopes` and `@policy` requirements a request
//! meets.
//!
//! The planner names the requirements each operation touches (cached with the
//! operation) and leaves out the fields protected by those a request does not
//! meet; this module decides, from the verified claims, which are unmet. A
//! request that meets them all uses the operation's ordinary plan; each
//! distinct set of unmet requirements is planned once and cached beside it.

mod config;

use std::collections::BTreeSet;

use serde_json::Value;
use switchyard_planner::authorization::Requirement;

use crate::authentication::Claims;
pub use config::{AuthorizationConfig, PolicyRule, UnauthorizedMode};

/// The `authorization` config, ready to decide requests.
pub(crate) struct Authorizer {
    config: AuthorizationConfig,
}

impl Authorizer {
    pub(crate) fn new(config: &AuthorizationConfig) -> Authorizer {
        Authorizer {
            config: config.clone(),
        }
    }

    pub(crate) fn mode(&self) -> UnauthorizedMode {
        self.config.unauthorized
    }

    /// The requirements among `required` that a request with `claims` (`None`:
    /// anonymous) does not meet.
    pub(crate) fn unmet(
        &self,
        required: &BTreeSet<Requirement>,
        claims: Option<&Claims>,
    ) -> BTreeSet<Requirement> {
        required
            .iter()
            .filter(|requirement| !self.meets(requirement, claims))
            .cloned()
            .collect()
    }

    fn meets(&self, requirement: &Requirement, claims: Option<&Claims>) -> bool {
        match requirement {
            Requirement::Authenticated => claims.is_some(),
            Requirement::Scopes(alternatives) => {
                let Some(claims) = claims else { return false };
                let granted = scopes(claims.get(&self.config.scopes_claim));
                alternatives
                    .iter()
                    .any(|all| all.iter().all(|scope| granted.contains(&scope.as_str())))
            }
            Requirement::Policies(alternatives) => alternatives.iter().any(|all| {
                all.iter().all(|policy| {
                    self.config
                        .policies
                        .get(policy)
                        .is_some_and(|rule| rule.holds(claims))
                })
            }),
        }
    }

    /// `@policy` names the supergraph uses that no rule decides (refused to
    /// everyone): logged at start so a typo does not go unnoticed.
    pub(crate) fn undecided_policies<'a>(
        &self,
        used: impl Iterator<Item = &'a Requirement>,
    ) -> BTreeSet<String> {
        used.filter_map(|requirement| match requirement {
            Requirement::Policies(alternatives) => Some(alternatives),
            _ => None,
        })
        .flatten()
        .flatten()
        .filter(|policy| !self.config.policies.contains_key(*policy))
        .cloned()
        .collect()
    }
}

/// The scopes a claim grants: space-separated words of a string, or the
/// strings of a list.
fn scopes(claim: Option<&Value>) -> Vec<&str> {
    match claim {
        Some(Value::String(text)) => text.split_whitespace().collect(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A stable text of a set of unmet requirements, for the plan cache key.
pub(crate) fn variant_key(unmet: &BTreeSet<Requirement>) -> String {
    format!("{unmet:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn authorizer(yaml: &str) -> Authorizer {
        Authorizer::new(&serde_saphyr::from_str(yaml).unwrap())
    }

    fn strings(sets: &[&[&str]]) -> Vec<Vec<String>> {
        sets.iter()
            .map(|set| set.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn requirements_against_claims() {
        let authorizer = authorizer("policies:\n  admin: {claim: role, equals: admin}\n");
        let required: BTreeSet<Requirement> = [
            Requirement::Authenticated,
            Requirement::Scopes(strings(&[&["read", "write"], &["root"]])),
            Requirement::Policies(strings(&[&["admin"]])),
            Requirement::Policies(strings(&[&["unknown"]])),
        ]
        .into();
        assert_eq!(authorizer.unmet(&required, None), required);
        let reader = json!({"scope": "read write", "role": "customer"});
        let reader = reader.as_object().unwrap();
        assert_eq!(
            authorizer.unmet(&required, Some(reader)),
            [
                Requirement::Policies(strings(&[&["admin"]])),
                Requirement::Policies(strings(&[&["unknown"]])),
            ]
            .into()
        );
        let root = json!({"scope": ["root"], "role": "admin"});
        assert_eq!(
            authorizer.unmet(&required, Some(root.as_object().unwrap())),
            [Requirement::Policies(strings(&[&["unknown"]]))].into()
        );
        assert_eq!(
            authorizer.undecided_policies(required.iter()),
            ["unknown".to_string()].into()
        );
    }
}
