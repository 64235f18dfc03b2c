//! The rules sign-up input must follow, checked before anything expensive (hashing)
//! or persistent (the insert) happens. Each rule failure names the offending field
//! so clients can show the message next to it.

/// Longest name we keep, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Shortest password we accept, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password we hash: beyond this a request is more likely an attempt to
/// burn CPU than a real password.
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// How many of the four character classes (lower, upper, digit, symbol) a password needs.
pub const MIN_PASSWORD_CLASSES: usize = 3;

const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_PART_LEN: usize = 64;
const MAX_DOMAIN_LABEL_LEN: usize = 63;

/// Which input field broke which rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidInput {
    /// The GraphQL input field name (`email`, `name`, `password`).
    pub field: &'static str,
    pub message: String,
}

impl InvalidInput {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Trims and lower-cases an address without judging it: sign-in uses this so that
/// `Alice@Example.com ` finds the account `alice@example.com`.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// The normalised address, or why it is not one we accept. Deliberately stricter
/// than RFC 5322 (no quoted local parts, no comments, no IP literals, ASCII only:
/// internationalised domains must be given in their `xn--` form), because those
/// forms are where mail systems disagree.
pub fn email(raw: &str) -> Result<String, InvalidInput> {
    let email = normalize_email(raw);
    let bad = |why: &str| InvalidInput::new("email", format!("invalid e-mail address: {why}"));
    if email.is_empty() {
        return Err(bad("it is empty"));
    }
    if email.len() > MAX_EMAIL_LEN {
        return Err(bad(&format!("longer than {MAX_EMAIL_LEN} characters")));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(bad("it has no @"));
    };
    if domain.contains('@') {
        return Err(bad("it has more than one @"));
    }
    check_local_part(local).map_err(|why| bad(&why))?;
    check_domain(domain).map_err(|why| bad(&why))?;
    Ok(email)
}

fn check_local_part(local: &str) -> Result<(), String> {
    if local.is_empty() {
        return Err("nothing before the @".into());
    }
    if local.len() > MAX_LOCAL_PART_LEN {
        return Err(format!(
            "the part before the @ is longer than {MAX_LOCAL_PART_LEN} characters"
        ));
    }
    if let Some(c) = local.chars().find(|c| !is_local_part_char(*c)) {
        return Err(format!("the character {c:?} is not allowed before the @"));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("dots before the @ must separate characters".into());
    }
    Ok(())
}

/// RFC 5322 `atext` plus the dot.
fn is_local_part_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c)
}

fn check_domain(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("nothing after the @".into());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("the domain needs a dot, as in example.com".into());
    }
    for label in &labels {
        if label.is_empty() {
            return Err("the domain has an empty part".into());
        }
        if label.len() > MAX_DOMAIN_LABEL_LEN {
            return Err(format!(
                "a domain part is longer than {MAX_DOMAIN_LABEL_LEN} characters"
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(format!("the character {c:?} is not allowed in the domain"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a domain part cannot start or end with a hyphen".into());
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err("the top-level domain cannot be numeric".into());
    }
    Ok(())
}

/// The trimmed display name.
pub fn name(raw: &str) -> Result<String, InvalidInput> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(InvalidInput::new("name", "name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(InvalidInput::new(
            "name",
            format!("name must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            "name",
            "name must not contain control characters (such as line breaks)",
        ));
    }
    Ok(name.to_owned())
}

/// Accepts a password strong enough to keep: long enough, mixed enough, and not
/// the e-mail address itself (`normalized_email` is already lower-case).
pub fn password(password: &str, normalized_email: &str) -> Result<(), InvalidInput> {
    let weak = |why: String| InvalidInput::new("password", format!("password too weak: {why}"));
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(weak(format!(
            "it needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(InvalidInput::new(
            "password",
            format!("password must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if character_classes(password) < MIN_PASSWORD_CLASSES {
        return Err(weak(format!(
            "it needs at least {MIN_PASSWORD_CLASSES} of: lower-case letters, \
             upper-case letters, digits, symbols"
        )));
    }
    if password.trim().to_lowercase() == normalized_email {
        return Err(weak("it must not be the e-mail address".into()));
    }
    Ok(())
}

/// How many of lower-case, upper-case, digit and symbol the password contains.
/// Letters without case (as in many scripts) count as none of these.
fn character_classes(password: &str) -> usize {
    let lower = password.chars().any(char::is_lowercase);
    let upper = password.chars().any(char::is_uppercase);
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password.chars().any(|c| !c.is_alphanumeric());
    [lower, upper, digit, symbol]
        .into_iter()
        .filter(|&b| b)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(email("  Alice@Example.COM ").unwrap(), "alice@example.com");
        assert_eq!(
            email("first.last+tag@mail.example.co.uk").unwrap(),
            "first.last+tag@mail.example.co.uk"
        );
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "alice@",
            "alice@@example.com",
            "a@b@example.com",
            "alice@example",
            "alice@-example.com",
            "alice@example..com",
            ".alice@example.com",
            "al..ice@example.com",
            "al ice@example.com",
            "alice@exa mple.com",
            "alice@example.123",
            "alice@bücher.de",
            "\"quoted\"@example.com",
        ] {
            let err = email(bad).expect_err(bad);
            assert_eq!(err.field, "email", "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(email(&long).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
        assert!(name("   ").is_err());
        assert!(name(&"é".repeat(100)).is_ok());
        assert!(name(&"é".repeat(101)).is_err());
        assert!(name("Ada\nLovelace").is_err());
    }

    #[test]
    fn password_rules() {
        let email = "alice@example.com";
        assert!(password("Correct-Horse1", email).is_ok());
        assert!(
            password("correcthorse1!", email).is_ok(),
            "lower+digit+symbol"
        );
        assert!(password("Short1!", email).is_err(), "too short");
        assert!(password("alllowercaseletters", email).is_err(), "one class");
        assert!(password("lowerandUPPER", email).is_err(), "two classes");
        assert!(password("Alice@Example.com", email).is_err(), "the e-mail");
        assert!(password(&"Aa1!".repeat(300), email).is_err(), "too long");
    }
}
