//! Response paths as the executor walks them: keys borrowed from the plan or the
//! client document instead of owned strings, so finding the objects of an entity
//! fetch (often thousands, each ten or more segments deep) allocates no strings.
//! They become owned [`PathSegment`]s only when an error or a failed fetch needs
//! them.

use crate::error::PathSegment;
use crate::value::Value;

/// One step of a response path, borrowing its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathRef<'a> {
    Key(&'a str),
    Index(usize),
}

impl PathRef<'_> {
    pub(crate) fn to_owned_segment(self) -> PathSegment {
        match self {
            PathRef::Key(key) => PathSegment::Key(key.to_owned()),
            PathRef::Index(index) => PathSegment::Index(index),
        }
    }
}

/// Owned copy of a borrowed path.
pub(crate) fn owned_path(path: &[PathRef<'_>]) -> Vec<PathSegment> {
    path.iter()
        .map(|segment| segment.to_owned_segment())
        .collect()
}

/// The concrete paths of the objects an entity fetch reads, stored end to end in
/// one buffer (one allocation for all of them, not one per object).
#[derive(Debug, Default)]
pub(crate) struct ObjectPaths<'a> {
    segments: Vec<PathRef<'a>>,
    ends: Vec<usize>,
}

impl<'a> ObjectPaths<'a> {
    pub(crate) fn with_capacity(objects: usize, depth: usize) -> Self {
        ObjectPaths {
            segments: Vec::with_capacity(objects * depth),
            ends: Vec::with_capacity(objects),
        }
    }

    pub(crate) fn push(&mut self, path: &[PathRef<'a>]) {
        self.segments.extend_from_slice(path);
        self.ends.push(self.segments.len());
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, index: usize) -> &[PathRef<'a>] {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.segments[start..self.ends[index]]
    }

    /// Owned copies of every path, for errors and covered paths.
    pub(crate) fn to_owned_paths(&self) -> Vec<Vec<PathSegment>> {
        (0..self.len())
            .map(|index| owned_path(self.get(index)))
            .collect()
    }
}

/// The value at `path`, if every step exists.
pub(crate) fn value_at_mut<'v>(root: &'v mut Value, path: &[PathRef<'_>]) -> Option<&'v mut Value> {
    let mut current = root;
    for segment in path {
        current = match (segment, current) {
            (PathRef::Key(key), Value::Object(object)) => object.get_mut(key)?,
            (PathRef::Index(index), Value::Array(list)) => list.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(current)
}
