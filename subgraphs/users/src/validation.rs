//! The rules sign-up input must follow, checked before anything expensive (hashing)
//! or persistent (the insert) happens. Each rule failure names the offending field
//! so clients can show the message next to it.

/// Longest name we keep, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Shortest password we accept, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password we accept (NIST SP 800-63B asks to allow at least 64):
/// beyond this a request is more likely an attempt to burn CPU than a password.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// The least zxcvbn score we accept: 3 is "safely unguessable", about 10^8
/// guesses, which an online attacker facing rate limits never reaches.
const MIN_PASSWORD_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

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

/// Accepts a password per NIST SP 800-63B: within the length bounds, without
/// control characters, and not guessable. Guessability is zxcvbn's estimate, which
/// checks the password against its bundled lists (about 30,000 common passwords from
/// breaches, dictionary words, names) and their variations (`Password12` is
/// `password` with digits), keyboard patterns, repeats and dates, and against the
/// account's own e-mail address and name. There are no composition rules: a long
/// passphrase of lower-case words is fine, `P@ssw0rd1` is not.
pub fn password(password: &str, normalized_email: &str, name: &str) -> Result<(), InvalidInput> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(InvalidInput::new(
            "password",
            format!("password too short: it needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(InvalidInput::new(
            "password",
            format!("password must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if password.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            "password",
            "password must not contain control characters (such as NUL or line breaks)",
        ));
    }
    let local_part = normalized_email.split('@').next().unwrap_or_default();
    let mut own_words = vec![normalized_email, local_part, name, "switchyard"];
    own_words.extend(local_part.split(['.', '_', '-', '+']));
    own_words.extend(name.split_whitespace());
    let estimate = zxcvbn::zxcvbn(password, &own_words);
    if estimate.score() < MIN_PASSWORD_SCORE {
        let why = estimate
            .feedback()
            .and_then(|feedback| feedback.warning())
            .map(|warning| warning.to_string())
            .unwrap_or_else(|| "it is too easy to guess.".to_owned());
        return Err(InvalidInput::new(
            "password",
            format!("password too weak: {why} Try a longer phrase of unrelated words."),
        ));
    }
    Ok(())
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
        let ok = |p: &str| password(p, email, "Alice Smith");
        assert!(ok("Correct-Horse-9").is_ok());
        assert!(
            ok("correct horse battery staple").is_ok(),
            "no composition rules"
        );
        assert!(ok("Tr0ub4dor&3-horse-staple").is_ok());
        for weak in [
            "Password12",
            "password123",
            "P@ssw0rd123",
            "Qwerty123456",
            "iloveyou2024",
            "aaaaaaaaaaaa",
            "1234567890",
            "alice@example.com",
            "Alice@Example.com",
        ] {
            let err = ok(weak).expect_err(weak);
            assert_eq!(err.field, "password", "{weak}");
            assert!(
                err.message.starts_with("password too weak"),
                "{weak}: {}",
                err.message
            );
        }
        assert!(ok("Short1!").unwrap_err().message.contains("too short"));
        assert!(
            ok(&"x".repeat(257))
                .unwrap_err()
                .message
                .contains("at most")
        );
        let nul = ok("Correct-Horse-9\0").unwrap_err();
        assert!(
            nul.message.contains("control characters"),
            "{}",
            nul.message
        );
        assert!(ok("Correct\nHorse-9").is_err());
    }
}
