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
///
/// Beside each key, where it was in its object when the path was collected:
/// merging an entity back finds each key there at once instead of comparing it
/// with the keys before it. Objects only grow at the end while a plan runs, so
/// the key is still there; a position that no longer holds it (an object
/// replaced meanwhile) is only a missed shortcut, the key is then looked for.
#[derive(Debug, Default)]
pub(crate) struct ObjectPaths<'a> {
    segments: Vec<PathRef<'a>>,
    /// Per segment: its key's position in its object (0 for a list index).
    positions: Vec<u32>,
    ends: Vec<usize>,
}

impl<'a> ObjectPaths<'a> {
    pub(crate) fn with_capacity(objects: usize, depth: usize) -> Self {
        ObjectPaths {
            segments: Vec::with_capacity(objects * depth),
            positions: Vec::with_capacity(objects * depth),
            ends: Vec::with_capacity(objects),
        }
    }

    /// Adds a path, with the position of each segment's key (`positions`, as
    /// long as `path`).
    pub(crate) fn push(&mut self, path: &[PathRef<'a>], positions: &[u32]) {
        debug_assert_eq!(path.len(), positions.len());
        self.segments.extend_from_slice(path);
        self.positions.extend_from_slice(positions);
        self.ends.push(self.segments.len());
    }

    /// Adds path `index` of `other`.
    pub(crate) fn push_from(&mut self, other: &ObjectPaths<'a>, index: usize) {
        let range = other.range(index);
        self.push(&other.segments[range.clone()], &other.positions[range]);
    }

    fn range(&self, index: usize) -> std::ops::Range<usize> {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        start..self.ends[index]
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn get(&self, index: usize) -> &[PathRef<'a>] {
        &self.segments[self.range(index)]
    }

    /// The value path `index` leads to in `root`, if every step exists; each
    /// key looked for first where it was when the path was collected.
    pub(crate) fn value_at_mut<'v>(
        &self,
        root: &'v mut Value,
        index: usize,
    ) -> Option<&'v mut Value> {
        let range = self.range(index);
        let mut current = root;
        for (segment, &position) in self.segments[range.clone()]
            .iter()
            .zip(&self.positions[range])
        {
            current = match (segment, current) {
                (PathRef::Key(key), Value::Object(object)) => {
                    object.get_mut_near(key, position as usize)?
                }
                (PathRef::Index(index), Value::Array(list)) => list.get_mut(*index)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// Owned copies of every path, for errors and covered paths.
    pub(crate) fn to_owned_paths(&self) -> Vec<Vec<PathSegment>> {
        (0..self.len())
            .map(|index| owned_path(self.get(index)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_where_it_was_and_still_found_once_it_moved() {
        let mut data = Value::from(serde_json::json!({"a": 1, "list": [{"x": 1, "y": 2}]}));
        let mut paths = ObjectPaths::default();
        let path = [PathRef::Key("list"), PathRef::Index(0), PathRef::Key("y")];
        paths.push(&path, &[1, 0, 1]);
        // Recorded where the keys were: found there.
        assert_eq!(
            paths.value_at_mut(&mut data, 0),
            Some(&mut Value::from(serde_json::json!(2)))
        );
        // An object rebuilt with its keys elsewhere: the keys are looked for.
        data = Value::from(serde_json::json!({"list": [{"y": 3, "x": 1}], "a": 1}));
        assert_eq!(
            paths.value_at_mut(&mut data, 0),
            Some(&mut Value::from(serde_json::json!(3)))
        );
        // A key that is gone is not found anywhere.
        data = Value::from(serde_json::json!({"list": [{"x": 1}]}));
        assert_eq!(paths.value_at_mut(&mut data, 0), None);
    }
}
