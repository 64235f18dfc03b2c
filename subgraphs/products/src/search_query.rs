//! Turning what a user typed into a safe full-text query.
//!
//! FTS5 has its own query language (`"`, `*`, `(`, `AND`, `NEAR`, column filters):
//! passing user input through would turn typos into syntax errors, or worse into
//! operators. So input is cut into words (runs of letters and digits) and each
//! word is quoted; the words are ANDed. The last word is a prefix: a customer
//! typing `lapt` (or `cast ir`) is still typing it, and should already find
//! laptops (or cast iron).

/// Longest accepted search input, in characters.
pub const MAX_QUERY_CHARS: usize = 256;
/// At most this many words are searched for; the rest are ignored.
const MAX_TERMS: usize = 16;

/// The words of `input`, lower-cased, in order, without duplicates.
pub fn terms(input: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in input.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let word = word.to_lowercase();
        if !terms.contains(&word) {
            terms.push(word);
        }
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    terms
}

/// An FTS5 MATCH expression: every term as a quoted string, so none is read as
/// an operator, the last one a prefix (`"ir"*`). `None` when there is nothing
/// to search for.
pub fn fts5_match(terms: &[String]) -> Option<String> {
    let (last, others) = terms.split_last()?;
    let quote = |term: &String| format!("\"{}\"", term.replace('"', "\"\""));
    let mut expression: Vec<String> = others.iter().map(quote).collect();
    expression.push(format!("{}*", quote(last)));
    Some(expression.join(" "))
}

/// A PostgreSQL `to_tsquery` text: the terms ANDed, the last one a prefix
/// (`cast & ir:*`). Each term is quoted as a lexeme; terms hold only letters
/// and digits (see [`terms`]), so no quote can end one early. `None` when there
/// is nothing to search for.
pub fn tsquery(terms: &[String]) -> Option<String> {
    let (last, others) = terms.split_last()?;
    let quote = |term: &String| format!("'{}'", term.replace('\'', "''"));
    let mut expression: Vec<String> = others.iter().map(quote).collect();
    expression.push(format!("{}:*", quote(last)));
    Some(expression.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_quotes_become_plain_words() {
        let t = terms(r#"cast "iron" AND (skillet* OR NEAR) -pan"#);
        assert_eq!(t, ["cast", "iron", "and", "skillet", "or", "near", "pan"]);
        assert_eq!(
            fts5_match(&t).unwrap(),
            r#""cast" "iron" "and" "skillet" "or" "near" "pan"*"#
        );
        assert_eq!(fts5_match(&terms(r#""*()"#)), None);
        assert_eq!(tsquery(&terms("cast' & !ir:*")).unwrap(), "'cast' & 'ir':*");
        assert_eq!(tsquery(&terms("&|!")), None);
    }
}
