//! Points a committed supergraph at running mock subgraphs by rewriting the
//! `url:` of each `@join__graph(name:, url:)`.

use std::collections::BTreeMap;

/// Rewrites every `@join__graph(name: "N", url: "...")` whose name is in `urls`.
/// Graphs not in `urls` keep their URL.
pub fn rewrite_urls(supergraph: &str, urls: &BTreeMap<String, String>) -> String {
    supergraph
        .lines()
        .map(|line| rewrite_line(line, urls))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn rewrite_line(line: &str, urls: &BTreeMap<String, String>) -> String {
    let Some(start) = line.find("@join__graph(") else {
        return line.to_owned();
    };
    let args = &line[start..];
    let Some(name) = quoted_after(args, "name:") else {
        return line.to_owned();
    };
    let Some(url) = urls.get(name) else {
        return line.to_owned();
    };
    let Some(url_pos) = args.find("url:") else {
        return line.to_owned();
    };
    let after = &args[url_pos..];
    let (Some(open), Some(old)) = (after.find('"'), quoted_after(args, "url:")) else {
        return line.to_owned();
    };
    let value_start = start + url_pos + open + 1;
    let value_end = value_start + old.len();
    format!("{}{}{}", &line[..value_start], url, &line[value_end..])
}

/// The string literal following `label` in `text` (no escapes in names or URLs).
fn quoted_after<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    let rest = &text[text.find(label)? + label.len()..];
    let open = rest.find('"')?;
    let rest = &rest[open + 1..];
    let close = rest.find('"')?;
    Some(&rest[..close])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_named_graphs() {
        let sdl = "enum join__Graph {\n  A @join__graph(name: \"a\", url: \"http://a\")\n  B @join__graph(name: \"b\", url: \"\")\n}";
        let urls = BTreeMap::from([("b".to_owned(), "http://127.0.0.1:9/graphql".to_owned())]);
        let out = rewrite_urls(sdl, &urls);
        assert!(out.contains("url: \"http://a\""));
        assert!(out.contains("B @join__graph(name: \"b\", url: \"http://127.0.0.1:9/graphql\")"));
    }
}
