//! The composed supergraph before printing: types with their directive
//! applications already rendered, and the graphs and features it links.

use crate::meta::Features;
use crate::model::{ComposedDirective, Kind};

/// A subgraph as `enum join__Graph` names it.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    pub value: String,
    pub name: String,
    pub url: String,
}

#[derive(Debug, Default)]
pub(crate) struct Supergraph {
    pub graphs: Vec<Graph>,
    pub types: Vec<OutType>,
    pub composed: Vec<ComposedDirective>,
    pub features: Features,
}

#[derive(Debug, Clone)]
pub(crate) struct OutType {
    pub name: String,
    pub kind: Kind,
    pub description: Option<String>,
    pub implements: Vec<String>,
    pub directives: Vec<String>,
    pub fields: Vec<OutField>,
    pub members: Vec<String>,
    pub values: Vec<OutEnumValue>,
    pub input_fields: Vec<OutInputValue>,
}

impl OutType {
    pub fn new(name: &str, kind: Kind) -> Self {
        Self {
            name: name.to_string(),
            kind,
            description: None,
            implements: Vec::new(),
            directives: Vec::new(),
            fields: Vec::new(),
            members: Vec::new(),
            values: Vec::new(),
            input_fields: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct OutField {
    pub name: String,
    pub description: Option<String>,
    pub args: Vec<OutInputValue>,
    pub ty: String,
    pub directives: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct OutInputValue {
    pub name: String,
    pub description: Option<String>,
    pub ty: String,
    pub default: Option<String>,
    pub directives: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct OutEnumValue {
    pub name: String,
    pub description: Option<String>,
    pub directives: Vec<String>,
}
