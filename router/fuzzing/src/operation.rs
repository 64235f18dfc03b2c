//! Operations: valid ones walked from an API schema, and invalid text (token soup,
//! mutations of valid operations) for the parser and the validator.

use std::collections::HashMap;
use std::fmt::Write as _;

use apollo_compiler::Schema;
use apollo_compiler::schema::{ExtendedType, FieldDefinition, InputValueDefinition, Type};
use serde_json::{Map, Value};

use crate::Entropy;

/// Bounds of a generated operation.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Nesting of selection sets below the root.
    pub max_depth: usize,
    /// Selections per selection set.
    pub max_width: usize,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            max_depth: 4,
            max_width: 4,
        }
    }
}

/// An operation valid against the schema it was generated from, with values for
/// the variables it declares (a variable with a default is sometimes left out).
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedOperation {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
}

/// Walks `schema` from a root type and writes a valid operation: random fields,
/// required arguments filled with valid literals (optional ones sometimes),
/// inline fragments on possible types, aliases, `@skip`/`@include` on variables.
///
/// Validity holds by construction: every response key is used for one field
/// signature only (a field whose name is already taken with another type or other
/// arguments gets a fresh alias), so selections always merge.
pub fn valid_operation(schema: &Schema, entropy: &mut Entropy, shape: Shape) -> GeneratedOperation {
    let mut roots = vec![("query", schema.schema_definition.query.as_ref())];
    if entropy.percent(15) {
        roots.push(("mutation", schema.schema_definition.mutation.as_ref()));
    }
    let (keyword, root) = match entropy.pick(&roots) {
        (keyword, Some(root)) => (*keyword, root.name.clone()),
        _ => (
            "query",
            schema
                .schema_definition
                .query
                .as_ref()
                .expect("an API schema has a query type")
                .name
                .clone(),
        ),
    };
    let mut generator = Generator {
        schema,
        entropy,
        shape,
        keys: HashMap::new(),
        aliases: 0,
        variables: Vec::new(),
        values: Map::new(),
    };
    let mut selections = String::new();
    generator.selection_set(root.as_str(), 0, &mut selections);
    let named = generator.entropy.percent(50);
    let operation_name = named.then(|| "Fuzzed".to_owned());
    let mut query = String::from(keyword);
    if named {
        query.push_str(" Fuzzed");
    }
    if !generator.variables.is_empty() {
        query.push('(');
        query.push_str(&generator.variables.join(", "));
        query.push(')');
    }
    query.push(' ');
    query.push_str(&selections);
    GeneratedOperation {
        query,
        operation_name,
        variables: generator.values,
    }
}

struct Generator<'s, 'e, 'b> {
    schema: &'s Schema,
    entropy: &'e mut Entropy<'b>,
    shape: Shape,
    /// Response key → the signature (field name, type, arguments) it stands for.
    keys: HashMap<String, String>,
    aliases: usize,
    /// Variable definitions, as written.
    variables: Vec<String>,
    values: Map<String, Value>,
}

impl Generator<'_, '_, '_> {
    /// Writes `{ ... }` for a selection on the composite type `parent`.
    fn selection_set(&mut self, parent: &str, depth: usize, out: &mut String) {
        out.push_str("{ ");
        let fields = self.fields(parent);
        let width = 1 + self.entropy.below(self.shape.max_width);
        let mut wrote = 0;
        for _ in 0..width {
            let choice = self.entropy.below(10);
            let conditions = self.fragment_conditions(parent);
            if choice >= 8 && depth < self.shape.max_depth && !conditions.is_empty() {
                let condition = self.entropy.pick(&conditions).clone();
                match &condition {
                    Some(name) => write!(out, "... on {name} ").unwrap(),
                    None => out.push_str("... "),
                }
                self.directives(out);
                self.selection_set(condition.as_deref().unwrap_or(parent), depth + 1, out);
                out.push(' ');
                wrote += 1;
            } else if choice == 7 || fields.is_empty() {
                out.push_str("__typename ");
                wrote += 1;
            } else {
                let field = self.entropy.pick(&fields).clone();
                if self.field(&field, depth, out) {
                    wrote += 1;
                }
            }
        }
        if wrote == 0 {
            out.push_str("__typename ");
        }
        out.push('}');
    }

    /// The fields of an object or interface (none for a union).
    fn fields(&self, parent: &str) -> Vec<FieldDefinition> {
        let fields = match self.schema.types.get(parent) {
            Some(ExtendedType::Object(object)) => &object.fields,
            Some(ExtendedType::Interface(interface)) => &interface.fields,
            _ => return Vec::new(),
        };
        fields
            .values()
            .filter(|field| !field.name.starts_with("__"))
            .map(|field| (***field).clone())
            .collect()
    }

    /// Type conditions a fragment on `parent` may have (`None`: no condition).
    fn fragment_conditions(&self, parent: &str) -> Vec<Option<String>> {
        let mut conditions = vec![None, Some(parent.to_owned())];
        match self.schema.types.get(parent) {
            Some(ExtendedType::Object(object)) => conditions.extend(
                object
                    .implements_interfaces
                    .iter()
                    .map(|i| Some(i.name.to_string())),
            ),
            Some(ExtendedType::Interface(_)) | Some(ExtendedType::Union(_)) => conditions.extend(
                possible_types(self.schema, parent)
                    .into_iter()
                    .filter(|name| self.schema.get_object(name).is_some())
                    .map(Some),
            ),
            _ => {}
        }
        conditions
    }

    /// Writes one field (alias, arguments, directives, selection set); false when
    /// the field cannot be written (an argument of a type with no valid value).
    fn field(&mut self, field: &FieldDefinition, depth: usize, out: &mut String) -> bool {
        let mut arguments = Vec::new();
        for argument in &field.arguments {
            let required = argument.ty.is_non_null() && argument.default_value.is_none();
            if required || self.entropy.percent(30) {
                match self.value(&argument.ty, 0) {
                    Some(value) => arguments.push(format!("{}: {value}", argument.name)),
                    None if required => return false,
                    None => {}
                }
            }
        }
        let arguments = if arguments.is_empty() {
            String::new()
        } else {
            format!("({})", arguments.join(", "))
        };
        let signature = format!("{}:{}{arguments}", field.name, field.ty);
        let wants_alias = self.entropy.percent(20);
        let key = match self.keys.get(field.name.as_str()) {
            Some(existing) if *existing == signature && !wants_alias => field.name.to_string(),
            None if !wants_alias => field.name.to_string(),
            _ => {
                self.aliases += 1;
                format!("a{}", self.aliases)
            }
        };
        self.keys.insert(key.clone(), signature);
        if key != field.name.as_str() {
            write!(out, "{key}: ").unwrap();
        }
        out.push_str(&field.name);
        out.push_str(&arguments);
        out.push(' ');
        self.directives(out);
        let inner = field.ty.inner_named_type();
        if self.is_composite(inner) {
            if depth >= self.shape.max_depth {
                out.push_str("{ __typename }");
            } else {
                self.selection_set(inner, depth + 1, out);
            }
            out.push(' ');
        }
        true
    }

    fn is_composite(&self, name: &str) -> bool {
        matches!(
            self.schema.types.get(name),
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    /// Sometimes writes `@skip`/`@include`, on a new variable or a literal.
    fn directives(&mut self, out: &mut String) {
        if !self.entropy.percent(25) {
            return;
        }
        let directive = if self.entropy.percent(50) {
            "skip"
        } else {
            "include"
        };
        if self.entropy.percent(25) {
            let literal = self.entropy.percent(50);
            write!(out, "@{directive}(if: {literal}) ").unwrap();
            return;
        }
        let name = format!("v{}", self.variables.len());
        let value = self.entropy.percent(50);
        if self.entropy.percent(30) {
            let default = self.entropy.percent(50);
            self.variables.push(format!("${name}: Boolean = {default}"));
            if self.entropy.percent(50) {
                self.values.insert(name.clone(), Value::Bool(value));
            }
        } else {
            self.variables.push(format!("${name}: Boolean!"));
            self.values.insert(name.clone(), Value::Bool(value));
        }
        write!(out, "@{directive}(if: ${name}) ").unwrap();
    }

    /// A valid literal of `ty`; `None` when there is none within the depth bound.
    fn value(&mut self, ty: &Type, depth: usize) -> Option<String> {
        if !ty.is_non_null() && self.entropy.percent(10) {
            return Some("null".to_owned());
        }
        if ty.is_list() {
            let item = ty.item_type();
            return match self.entropy.below(3) {
                0 => Some("[]".to_owned()),
                1 => self.value(item, depth + 1),
                _ => {
                    let items: Option<Vec<String>> = (0..1 + self.entropy.below(2))
                        .map(|_| self.value(item, depth + 1))
                        .collect();
                    Some(format!("[{}]", items?.join(", ")))
                }
            };
        }
        let name = ty.inner_named_type();
        match self.schema.types.get(name)? {
            ExtendedType::Scalar(_) => Some(self.scalar(name)),
            ExtendedType::Enum(enumeration) => {
                let values: Vec<_> = enumeration.values.keys().collect();
                (!values.is_empty()).then(|| self.entropy.pick(&values).to_string())
            }
            ExtendedType::InputObject(input) => {
                if depth > 3 {
                    return (!ty.is_non_null()).then(|| "null".to_owned());
                }
                let fields: Vec<InputValueDefinition> =
                    input.fields.values().map(|f| (***f).clone()).collect();
                let mut written = Vec::new();
                if input.directives.has("oneOf") {
                    let field = self.entropy.pick(&fields).clone();
                    let value = self.value(&(*field.ty).clone().non_null(), depth + 1)?;
                    written.push(format!("{}: {value}", field.name));
                } else {
                    for field in &fields {
                        let required = field.ty.is_non_null() && field.default_value.is_none();
                        if required || self.entropy.percent(30) {
                            match self.value(&field.ty, depth + 1) {
                                Some(value) => written.push(format!("{}: {value}", field.name)),
                                None if required => return None,
                                None => {}
                            }
                        }
                    }
                }
                Some(format!("{{{}}}", written.join(", ")))
            }
            _ => None,
        }
    }

    fn scalar(&mut self, name: &str) -> String {
        match name {
            "Int" => self.entropy.pick(&["0", "1", "2", "-1", "10"]).to_string(),
            "Float" => self.entropy.pick(&["0.5", "1", "-2.25", "1e3"]).to_string(),
            "Boolean" => self.entropy.pick(&["true", "false"]).to_string(),
            "ID" => self.entropy.pick(&["\"1\"", "\"2\"", "3"]).to_string(),
            // String and custom scalars (any literal is valid for those).
            _ => self
                .entropy
                .pick(&["\"1\"", "\"a\"", "\"\"", "\"é \\\" \\n\""])
                .to_string(),
        }
    }
}

/// The object types of an interface or union.
pub fn possible_types(schema: &Schema, name: &str) -> Vec<String> {
    match schema.types.get(name) {
        Some(ExtendedType::Union(union)) => union.members.iter().map(|m| m.to_string()).collect(),
        Some(ExtendedType::Interface(_)) => schema
            .types
            .values()
            .filter_map(|ty| match ty {
                ExtendedType::Object(object)
                    if object.implements_interfaces.iter().any(|i| i.name == name) =>
                {
                    Some(object.name.to_string())
                }
                ExtendedType::Interface(interface)
                    if interface
                        .implements_interfaces
                        .iter()
                        .any(|i| i.name == name) =>
                {
                    Some(interface.name.to_string())
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Tokens of GraphQL (and some that are not), for token soup.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "{",
    "}",
    "(",
    ")",
    ":",
    "...",
    "on",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "F",
    "me",
    "user",
    "id",
    "name",
    "username",
    "reviews",
    "body",
    "author",
    "product",
    "products",
    "topProducts",
    "upc",
    "price",
    "__typename",
    "__schema",
    "types",
    "__type",
    "Product",
    "User",
    "Review",
    "first",
    "$first",
    "$v",
    "Int",
    "String!",
    "\"1\"",
    "1",
    "-3",
    "1.5e3",
    "true",
    "null",
    "[",
    "]",
    "@skip",
    "@include",
    "@defer",
    "if",
    "=",
    "!",
    "#comment\n",
    ",",
    "a:",
    "\"\"\"block\"\"\"",
    "\u{0}",
    "é",
    "addProduct",
    "|",
    "&",
    "$",
];

/// Token soup: a random sequence of GraphQL-ish tokens.
pub fn token_soup(entropy: &mut Entropy) -> String {
    let length = 1 + entropy.below(40);
    let mut text = String::new();
    for _ in 0..length {
        let token: &&str = entropy.pick(TOKENS);
        text.push_str(token);
        text.push(' ');
    }
    text
}

/// `text` with a few random edits (deletions, insertions of punctuation,
/// duplicated spans, truncation): mostly-valid operations reach deeper into the
/// validator and planner than token soup.
pub fn mutate(text: &str, entropy: &mut Entropy) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..entropy.below(4) {
        if chars.is_empty() {
            break;
        }
        let at = entropy.below(chars.len());
        match entropy.below(5) {
            0 => {
                chars.remove(at);
            }
            1 => {
                let inserted = *entropy.pick(&['{', '}', '(', ')', 'x', '$', '@', '"', '.', '\0']);
                chars.insert(at, inserted);
            }
            2 => {
                let token = *entropy.pick(TOKENS);
                chars.splice(at..at, token.chars().chain([' ']));
            }
            3 => {
                let end = (at + 1 + entropy.below(20)).min(chars.len());
                let span: Vec<char> = chars[at..end].to_vec();
                chars.splice(end..end, span);
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}
