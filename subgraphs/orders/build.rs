//! Typed GraphQL operations for the calls the checkout makes (`src/services`).
//!
//! Each query document under `src/services/queries/<service>/` is compiled with
//! `graphql_client`'s code generator against `schema/<service>.graphql`, the SDL
//! that service commits (and its snapshot tests hold). An operation that names a
//! field, argument or type the schema no longer has fails this build script, so a
//! schema change breaks the orders build, not the checkout in production.
//!
//! The committed SDL is what `_service { sdl }` answers: it carries federation's
//! `extend schema @link(...)` (which `graphql_client`'s parser cannot read) and
//! leaves out the entity API every subgraph serves. Both are fixed up on a copy
//! in `OUT_DIR`: the `@link` extension is dropped and `scalar _Any`, the `_Entity`
//! union of the schema's `@key` types and `Query._entities` are added, as the
//! federation spec defines them.
//!
//! `graphql_client` checks fields and types, not arguments, so every document is
//! also validated in full (arguments, variables and their types) with
//! `apollo-compiler`, against the same schema.

use std::fs;
use std::path::{Path, PathBuf};

use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use graphql_client_codegen::{
    CodegenMode, GraphQLClientCodegenOptions, generate_module_token_stream_from_string,
};

const SERVICES: &[&str] = &["inventory", "payments", "products"];

fn main() {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env("OUT_DIR")).join("graphql");
    fs::create_dir_all(&out).expect("create OUT_DIR/graphql");
    for service in SERVICES {
        let schema_file = manifest.join(format!("../../schema/{service}.graphql"));
        let queries = manifest.join(format!("src/services/queries/{service}"));
        println!("cargo:rerun-if-changed={}", schema_file.display());
        println!("cargo:rerun-if-changed={}", queries.display());

        let sdl = read(&schema_file);
        let schema = out.join(format!("{service}.schema.graphql"));
        let prepared = with_entity_api(&sdl);
        fs::write(&schema, &prepared).expect("write the prepared schema");
        // The committed SDL references federation's directives without defining
        // them: only executable documents are validated, against it as it is.
        let validator = Valid::assume_valid(
            Schema::parse(prepared, &schema)
                .unwrap_or_else(|e| panic!("schema/{service}.graphql: {}", e.errors)),
        );

        let mut code = String::new();
        for document in query_documents(&queries) {
            println!("cargo:rerun-if-changed={}", document.display());
            let query = read(&document);
            if let Err(e) = ExecutableDocument::parse_and_validate(&validator, &query, &document) {
                panic!(
                    "{} does not fit schema/{service}.graphql:\n{}",
                    document.display(),
                    e.errors
                );
            }
            let mut options = GraphQLClientCodegenOptions::new(CodegenMode::Cli);
            options.set_response_derives("Debug".to_owned());
            // Visible to the service's file, which includes the code in a module.
            options.set_module_visibility(syn::parse_quote!(pub));
            let tokens = generate_module_token_stream_from_string(&query, &schema, options)
                .unwrap_or_else(|e| {
                    panic!(
                        "{} does not fit schema/{service}.graphql: {e}",
                        document.display()
                    )
                });
            code.push_str(&tokens.to_string());
            code.push('\n');
        }
        fs::write(out.join(format!("{service}.rs")), code).expect("write the generated code");
    }
}

/// The committed SDL as `graphql_client` can read it, with the entity API added.
fn with_entity_api(sdl: &str) -> String {
    let mut kept = String::with_capacity(sdl.len() + 256);
    let mut in_link = false;
    for line in sdl.lines() {
        if line.starts_with("extend schema") {
            in_link = true;
        }
        if !in_link {
            kept.push_str(line);
            kept.push('\n');
        }
        // The `@link(...)` extension ends with the line that closes it.
        if in_link && line.trim_end().ends_with(')') {
            in_link = false;
        }
    }
    let entities: Vec<&str> = sdl
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("type ")?;
            let (name, directives) = rest.split_once(' ')?;
            directives.contains("@key(").then_some(name)
        })
        .collect();
    assert!(!entities.is_empty(), "a subgraph schema without entities");
    kept.push_str("\nscalar _Any\n");
    kept.push_str(&format!("union _Entity = {}\n", entities.join(" | ")));
    kept.push_str("extend type Query {\n\t_entities(representations: [_Any!]!): [_Entity]!\n}\n");
    kept
}

fn query_documents(dir: &Path) -> Vec<PathBuf> {
    let mut documents: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("read a query directory").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "graphql"))
        .collect();
    documents.sort();
    documents
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}
