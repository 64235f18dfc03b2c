//! Prints a [`Supergraph`] in the layout Apollo's composition uses: the `schema`
//! with its `@link`s, the link/join definitions, then every type by name.

use crate::meta::quote;
use crate::model::Kind;
use crate::supergraph::{OutInputValue, OutType, Supergraph};
use std::fmt::Write;

const JOIN_DEFINITIONS: &str = r#"directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String, contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
"#;

const JOIN_TYPES: &str = r#"input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__DirectiveArguments

scalar join__FieldSet

scalar join__FieldValue
"#;

const LINK_TYPES: &str = r#"scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}
"#;

const ELEMENTS: &str = "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION";

/// Prints the supergraph SDL.
pub(crate) fn print(supergraph: &Supergraph) -> String {
    let features = &supergraph.features;
    let mut out = String::new();
    let has = |name: &str| supergraph.types.iter().any(|t| t.name == name);

    // schema
    out.push_str("schema\n  @link(url: \"https://specs.apollo.dev/link/v1.0\")\n");
    out.push_str("  @link(url: \"https://specs.apollo.dev/join/v0.5\", for: EXECUTION)\n");
    let mut links = Vec::new();
    if features.authenticated {
        links.push(
            "@link(url: \"https://specs.apollo.dev/authenticated/v0.1\", for: SECURITY)"
                .to_string(),
        );
    }
    if features.context {
        links.push(
            "@link(url: \"https://specs.apollo.dev/context/v0.1\", for: SECURITY)".to_string(),
        );
    }
    if features.cost || features.list_size {
        links.push("@link(url: \"https://specs.apollo.dev/cost/v0.1\", import: [\"@cost\", \"@listSize\"])".to_string());
    }
    if features.inaccessible {
        links.push(
            "@link(url: \"https://specs.apollo.dev/inaccessible/v0.2\", for: SECURITY)".to_string(),
        );
    }
    if features.policy {
        links.push(
            "@link(url: \"https://specs.apollo.dev/policy/v0.1\", for: SECURITY)".to_string(),
        );
    }
    if features.requires_scopes {
        links.push(
            "@link(url: \"https://specs.apollo.dev/requiresScopes/v0.1\", for: SECURITY)"
                .to_string(),
        );
    }
    if features.tag {
        links.push("@link(url: \"https://specs.apollo.dev/tag/v0.3\")".to_string());
    }
    for composed in &supergraph.composed {
        let link = format!(
            "@link(url: {}, import: [{}])",
            quote(&composed.link.url),
            quote(&format!("@{}", composed.name))
        );
        if !links.contains(&link) {
            links.push(link);
        }
    }
    for link in links {
        let _ = writeln!(out, "  {link}");
    }
    out.push_str("{\n  query: Query\n");
    if has("Mutation") {
        out.push_str("  mutation: Mutation\n");
    }
    if has("Subscription") {
        out.push_str("  subscription: Subscription\n");
    }
    out.push_str("}\n\n");

    // directive definitions
    if features.authenticated {
        out.push_str(
            "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\n",
        );
    }
    if features.cost {
        out.push_str("directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR\n\n");
    }
    if features.context {
        out.push_str(
            "directive @context(name: String!) repeatable on OBJECT | INTERFACE | UNION\n\n",
        );
        out.push_str("directive @context__fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION\n\n");
    }
    for composed in &supergraph.composed {
        if let Some(definition) = &composed.definition {
            let _ = writeln!(out, "{definition}\n");
        }
    }
    if features.inaccessible {
        let _ = writeln!(out, "directive @inaccessible on {ELEMENTS}\n");
    }
    out.push_str(JOIN_DEFINITIONS);
    out.push('\n');
    if features.list_size {
        out.push_str("directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION\n\n");
    }
    if features.policy {
        out.push_str("directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\n");
    }
    if features.requires_scopes {
        out.push_str("directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\n");
    }
    if features.tag {
        let _ = writeln!(
            out,
            "directive @tag(name: String!) repeatable on {ELEMENTS} | SCHEMA\n"
        );
    }

    // link/join types
    if features.context {
        out.push_str("scalar context__ContextFieldValue\n\n");
    }
    out.push_str(JOIN_TYPES);
    out.push_str("\nenum join__Graph {\n");
    for graph in &supergraph.graphs {
        let _ = writeln!(
            out,
            "  {} @join__graph(name: {}, url: {})",
            graph.value,
            quote(&graph.name),
            quote(&graph.url)
        );
    }
    out.push_str("}\n\n");
    out.push_str(LINK_TYPES);
    if features.policy {
        out.push_str("\nscalar policy__Policy\n");
    }
    if features.requires_scopes {
        out.push_str("\nscalar requiresScopes__Scope\n");
    }

    let mut types: Vec<&OutType> = supergraph.types.iter().collect();
    types.sort_by(|a, b| a.name.cmp(&b.name));
    for ty in types {
        out.push('\n');
        print_type(&mut out, ty);
    }
    out
}

fn print_type(out: &mut String, ty: &OutType) {
    print_description(out, ty.description.as_deref(), "");
    let keyword = match ty.kind {
        Kind::Object => "type",
        Kind::Interface => "interface",
        Kind::Union => "union",
        Kind::Enum => "enum",
        Kind::InputObject => "input",
        Kind::Scalar => "scalar",
    };
    let _ = write!(out, "{keyword} {}", ty.name);
    if !ty.implements.is_empty() {
        let _ = write!(out, " implements {}", ty.implements.join(" & "));
    }
    for directive in &ty.directives {
        let _ = write!(out, "\n  {directive}");
    }
    let multiline = !ty.directives.is_empty();
    let open = if multiline { "\n{\n" } else { " {\n" };
    match ty.kind {
        Kind::Scalar => out.push('\n'),
        Kind::Union => {
            let separator = if multiline { "\n  " } else { " " };
            let _ = writeln!(out, "{separator}= {}", ty.members.join(" | "));
        }
        Kind::Enum => {
            out.push_str(open);
            for value in &ty.values {
                print_description(out, value.description.as_deref(), "  ");
                let _ = writeln!(out, "  {}{}", value.name, directives(&value.directives));
            }
            out.push_str("}\n");
        }
        Kind::InputObject => {
            out.push_str(open);
            for field in &ty.input_fields {
                print_description(out, field.description.as_deref(), "  ");
                let _ = writeln!(out, "  {}", input_value(field));
            }
            out.push_str("}\n");
        }
        Kind::Object | Kind::Interface => {
            out.push_str(open);
            for field in &ty.fields {
                print_description(out, field.description.as_deref(), "  ");
                let _ = write!(out, "  {}", field.name);
                if !field.args.is_empty() {
                    if field.args.iter().any(|a| a.description.is_some()) {
                        out.push_str("(\n");
                        for arg in &field.args {
                            print_description(out, arg.description.as_deref(), "    ");
                            let _ = writeln!(out, "    {}", input_value(arg));
                        }
                        out.push_str("  )");
                    } else {
                        let args: Vec<String> = field.args.iter().map(input_value).collect();
                        let _ = write!(out, "({})", args.join(", "));
                    }
                }
                let _ = writeln!(out, ": {}{}", field.ty, directives(&field.directives));
            }
            out.push_str("}\n");
        }
    }
}

fn input_value(value: &OutInputValue) -> String {
    let default = value
        .default
        .as_ref()
        .map(|d| format!(" = {d}"))
        .unwrap_or_default();
    format!(
        "{}: {}{default}{}",
        value.name,
        value.ty,
        directives(&value.directives)
    )
}

fn directives(list: &[String]) -> String {
    list.iter().map(|d| format!(" {d}")).collect()
}

/// Prints a description as a block string when that keeps its exact value, else as a string.
fn print_description(out: &mut String, description: Option<&str>, indent: &str) {
    let Some(description) = description else {
        return;
    };
    let block_safe = !description.contains('\r')
        && !description.starts_with(char::is_whitespace)
        && !description.ends_with(char::is_whitespace)
        && !description.ends_with('"')
        && !description.contains('\\');
    if !block_safe {
        let _ = writeln!(out, "{indent}{}", quote(description));
        return;
    }
    let escaped = description.replace("\"\"\"", "\\\"\"\"");
    if escaped.contains('\n') {
        let _ = writeln!(out, "{indent}\"\"\"");
        for line in escaped.lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
        let _ = writeln!(out, "{indent}\"\"\"");
    } else {
        let _ = writeln!(out, "{indent}\"\"\"{escaped}\"\"\"");
    }
}
