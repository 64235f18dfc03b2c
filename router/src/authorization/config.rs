//! The `authorization` section: what the router does with an operation that
//! selects fields the request may not see, where the scopes are in the claims,
//! and the rules that decide each `@policy` name.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Enforcement of `@authenticated`, `@requiresScopes` and `@policy` from the
/// supergraph. On by default: a supergraph without these directives costs
/// nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AuthorizationConfig {
    /// Whether the directives are enforced. Off, they are ignored and the
    /// subgraphs alone decide (as a router without authorization would).
    pub enabled: bool,
    /// What an operation that selects fields the request may not see gets.
    pub unauthorized: UnauthorizedMode,
    /// The claim holding the request's scopes for `@requiresScopes`: a string of
    /// space-separated scopes (OAuth 2.0's `scope`) or a list of strings.
    pub scopes_claim: String,
    /// The rule deciding each `@policy` name over the request's claims. A
    /// policy the supergraph uses and this map does not name is never granted.
    pub policies: BTreeMap<String, PolicyRule>,
}

impl Default for AuthorizationConfig {
    fn default() -> Self {
        AuthorizationConfig {
            enabled: true,
            unauthorized: UnauthorizedMode::Filter,
            scopes_claim: "scope".to_owned(),
            policies: BTreeMap::new(),
        }
    }
}

/// How unauthorized fields are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnauthorizedMode {
    /// The fields are removed before planning (no subgraph is asked for them)
    /// and answered `null`, each with an `UNAUTHORIZED` error at its path; the
    /// rest of the operation runs.
    Filter,
    /// The whole operation is refused: HTTP 401 for an anonymous request, 403
    /// for an authenticated one, one `UNAUTHORIZED` error per field, nothing
    /// fetched.
    Reject,
}

/// A condition on the request's claims (an anonymous request has none, so
/// only a `not` can grant it a policy). Give exactly one of `claim`, `all`,
/// `any` and `not`; with `claim`, at most one of `equals`, `one_of` and
/// `contains` (none: the claim is present and neither `null` nor `false`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRule {
    /// Path of the claim, dots between nested members (`realm_access.roles`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// The claim equals this JSON value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    /// The claim equals one of these values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Value>>,
    /// The claim is a list holding this value, or a string of space-separated
    /// words holding this word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Value>,
    /// Every rule holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<PolicyRule>>,
    /// At least one rule holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<PolicyRule>>,
    /// The rule does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<PolicyRule>>,
}

impl PolicyRule {
    /// Checks the rule's shape; `at` names it in the message.
    pub fn check(&self, at: &str) -> Result<(), String> {
        let forms = [
            self.claim.is_some(),
            self.all.is_some(),
            self.any.is_some(),
            self.not.is_some(),
        ];
        if forms.iter().filter(|given| **given).count() != 1 {
            return Err(format!(
                "{at}: give exactly one of `claim`, `all`, `any` and `not`"
            ));
        }
        let tests = [
            self.equals.is_some(),
            self.one_of.is_some(),
            self.contains.is_some(),
        ];
        let test_count = tests.iter().filter(|given| **given).count();
        if self.claim.is_none() && test_count > 0 {
            return Err(format!(
                "{at}: `equals`, `one_of` and `contains` need a `claim`"
            ));
        }
        if test_count > 1 {
            return Err(format!(
                "{at}: give at most one of `equals`, `one_of` and `contains`"
            ));
        }
        if self.claim.as_deref().is_some_and(str::is_empty) {
            return Err(format!("{at}: `claim` is empty"));
        }
        for (index, rule) in self.all.iter().chain(&self.any).flatten().enumerate() {
            rule.check(&format!("{at}[{index}]"))?;
        }
        if let Some(rule) = &self.not {
            rule.check(&format!("{at}.not"))?;
        }
        Ok(())
    }

    /// Whether the rule holds for `claims` (`None`: an anonymous request).
    pub fn holds(&self, claims: Option<&serde_json::Map<String, Value>>) -> bool {
        if let Some(rules) = &self.all {
            return rules.iter().all(|rule| rule.holds(claims));
        }
        if let Some(rules) = &self.any {
            return rules.iter().any(|rule| rule.holds(claims));
        }
        if let Some(rule) = &self.not {
            return !rule.holds(claims);
        }
        let Some(value) = self
            .claim
            .as_deref()
            .and_then(|path| claim_at(claims?, path))
        else {
            return false;
        };
        if let Some(expected) = &self.equals {
            return value == expected;
        }
        if let Some(options) = &self.one_of {
            return options.contains(value);
        }
        if let Some(item) = &self.contains {
            return match (value, item) {
                (Value::Array(items), _) => items.contains(item),
                (Value::String(words), Value::String(word)) => {
                    words.split_whitespace().any(|w| w == word)
                }
                _ => false,
            };
        }
        !matches!(value, Value::Null | Value::Bool(false))
    }
}

/// The claim at a dotted path.
pub(crate) fn claim_at<'a>(
    claims: &'a serde_json::Map<String, Value>,
    path: &str,
) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = claims.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(yaml: &str) -> PolicyRule {
        let rule: PolicyRule = serde_saphyr::from_str(yaml).unwrap();
        rule.check("rule").unwrap();
        rule
    }

    fn claims(value: Value) -> serde_json::Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn rules_over_claims() {
        let admin = claims(json!({"role": "admin", "scope": "a b", "groups": ["x"],
                                  "realm": {"roles": ["ops"]}, "verified": true}));
        let customer = claims(json!({"role": "customer", "verified": false}));
        let cases = [
            ("claim: role\nequals: admin", true, false),
            ("claim: role\none_of: [staff, admin]", true, false),
            ("claim: scope\ncontains: b", true, false),
            ("claim: groups\ncontains: x", true, false),
            ("claim: realm.roles\ncontains: ops", true, false),
            ("claim: verified", true, false),
            ("not: {claim: role, equals: admin}", false, true),
            (
                "any: [{claim: role, equals: admin}, {claim: role, equals: customer}]",
                true,
                true,
            ),
            (
                "all: [{claim: role, equals: admin}, {claim: verified}]",
                true,
                false,
            ),
        ];
        for (text, for_admin, for_customer) in cases {
            let rule = rule(text);
            assert_eq!(rule.holds(Some(&admin)), for_admin, "{text} (admin)");
            assert_eq!(
                rule.holds(Some(&customer)),
                for_customer,
                "{text} (customer)"
            );
        }
        assert!(!rule("claim: role").holds(None));
        assert!(rule("not: {claim: role}").holds(None));
    }

    #[test]
    fn malformed_rules_are_refused() {
        for text in [
            "{}",
            "claim: a\nall: []",
            "equals: 1",
            "claim: a\nequals: 1\ncontains: 1",
            "claim: ''",
            "any: [{claim: a, one_of: [1], equals: 1}]",
        ] {
            let rule: PolicyRule = serde_saphyr::from_str(text).unwrap();
            assert!(rule.check("rule").is_err(), "{text}");
        }
        assert!(serde_saphyr::from_str::<PolicyRule>("claim: a\nequal: 1").is_err());
    }
}
