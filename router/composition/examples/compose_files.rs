//! Composes subgraph SDL files and prints the supergraph (used by tests/composition-diff).
//!
//! Usage: `compose_files NAME=FILE [NAME=FILE ...]`; the routing url is `http://NAME`.
//! Exits 1 and prints every composition error on stderr when composition fails.

use std::process::ExitCode;
use switchyard_composition::{SubgraphDefinition, compose};

fn main() -> ExitCode {
    let mut subgraphs = Vec::new();
    for arg in std::env::args().skip(1) {
        let Some((name, path)) = arg.split_once('=') else {
            eprintln!("expected NAME=FILE, got {arg}");
            return ExitCode::from(2);
        };
        match std::fs::read_to_string(path) {
            Ok(sdl) => subgraphs.push(SubgraphDefinition::new(name, format!("http://{name}"), sdl)),
            Err(error) => {
                eprintln!("cannot read {path}: {error}");
                return ExitCode::from(2);
            }
        }
    }
    match compose(&subgraphs) {
        Ok(composed) => {
            print!("{}", composed.supergraph_sdl);
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            ExitCode::FAILURE
        }
    }
}
