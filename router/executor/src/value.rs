//! The executor's JSON value: what subgraph responses parse into, what fetches merge
//! into and what the client response is shaped as.
//!
//! `serde_json::Value` (with `preserve_order`) keeps objects in an `IndexMap` hashed
//! with SipHash: every parsed object builds a hash table, and every lookup while
//! merging, walking `Flatten` paths or building representations hashes its key. A
//! GraphQL object has a handful of fields, so this value keeps them in a plain
//! vector in arrival order and finds them by comparing keys, which costs less than
//! one hash. Strings and keys are `Arc<str>`: the same review body or key merged
//! into several objects, or copied into a representation, is shared, not copied.
//!
//! Objects are ordered; equality ignores the order, as `serde_json`'s does.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;

/// A shared string: a JSON string value or an object key.
pub type Str = Arc<str>;

/// A JSON value. See the module documentation for why it is not `serde_json::Value`.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Str),
    Array(Vec<Value>),
    Object(Object),
}

/// A JSON object: entries in insertion order, keys unique.
#[derive(Debug, Clone, Default)]
pub struct Object {
    entries: Vec<(Str, Value)>,
}

/// Above this many entries, parsing checks for duplicate keys with a hash set
/// instead of comparing each new key with every earlier one.
const LINEAR_DUPLICATE_CHECK: usize = 32;

impl Object {
    pub fn new() -> Self {
        Object::default()
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Object {
            entries: Vec::with_capacity(capacity),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(name, _)| &**name == key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(name, _)| &**name == key)
            .map(|(_, value)| value)
    }

    /// The entry of `key`, with the shared key itself (to reuse it without copying).
    pub fn get_key_value(&self, key: &str) -> Option<(&Str, &Value)> {
        self.entries
            .iter()
            .find(|(name, _)| &**name == key)
            .map(|(name, value)| (name, value))
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(name, _)| &**name == key)
            .map(|(_, value)| value)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`, in place when the key exists (returning the old value),
    /// at the end otherwise.
    pub fn insert(&mut self, key: impl Into<Str>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.position(&key) {
            Some(index) => Some(std::mem::replace(&mut self.entries[index].1, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Room for exactly `additional` more entries.
    pub(crate) fn reserve_exact(&mut self, additional: usize) {
        self.entries.reserve_exact(additional);
    }

    /// Appends an entry whose key the caller knows is not in the object yet (a
    /// merge that has just looked the key up).
    pub(crate) fn push_new(&mut self, key: Str, value: Value) {
        debug_assert!(!self.contains_key(&key), "duplicate key {key}");
        self.entries.push((key, value));
    }

    /// Removes `key`, keeping the order of the other entries.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.position(key)?;
        Some(self.entries.remove(index).1)
    }

    /// The value of `key`, inserted as `null` when missing.
    pub fn get_or_insert_null(&mut self, key: &str) -> &mut Value {
        let index = match self.position(key) {
            Some(index) => index,
            None => {
                self.entries.push((Str::from(key), Value::Null));
                self.entries.len() - 1
            }
        };
        &mut self.entries[index].1
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Str, &Value)> {
        self.entries.iter().map(|(key, value)| (key, value))
    }

    /// Keeps the last value of each repeated key at the key's first position, as
    /// `serde_json` does when it parses an object with duplicate keys.
    fn remove_duplicates(&mut self) {
        let mut first: std::collections::HashMap<Str, usize> =
            std::collections::HashMap::with_capacity(self.entries.len());
        let mut kept: Vec<(Str, Value)> = Vec::with_capacity(self.entries.len());
        for (key, value) in self.entries.drain(..) {
            match first.get(&key) {
                Some(&index) => kept[index].1 = value,
                None => {
                    first.insert(key.clone(), kept.len());
                    kept.push((key, value));
                }
            }
        }
        self.entries = kept;
    }
}

impl IntoIterator for Object {
    type Item = (Str, Value);
    type IntoIter = std::vec::IntoIter<(Str, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl FromIterator<(Str, Value)> for Object {
    /// Later duplicates replace earlier ones.
    fn from_iter<I: IntoIterator<Item = (Str, Value)>>(iter: I) -> Self {
        let mut object = Object::new();
        for (key, value) in iter {
            object.insert(key, value);
        }
        object
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .entries
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(string) => Some(string),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(boolean) => Some(*boolean),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(number) => number.as_i64(),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(number) => number.as_u64(),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The field `key` of an object; `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// The equivalent `serde_json::Value` (for tests and for callers that need it).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(boolean) => serde_json::Value::Bool(*boolean),
            Value::Number(number) => serde_json::Value::Number(number.clone()),
            Value::String(string) => serde_json::Value::String(string.to_string()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Object(object) => serde_json::Value::Object(
                object
                    .iter()
                    .map(|(key, value)| (key.to_string(), value.to_json()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Value {
    /// Compact JSON, as `serde_json::Value` displays.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        formatter.write_str(&text)
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(boolean) => Value::Bool(boolean),
            serde_json::Value::Number(number) => Value::Number(number),
            serde_json::Value::String(string) => Value::String(Str::from(string)),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(object) => Value::Object(Object::from(object)),
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(value: &serde_json::Value) -> Self {
        Value::from(value.clone())
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Object {
    fn from(object: serde_json::Map<String, serde_json::Value>) -> Self {
        Object {
            entries: object
                .into_iter()
                .map(|(key, value)| (Str::from(key), Value::from(value)))
                .collect(),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(boolean) => serializer.serialize_bool(*boolean),
            Value::Number(number) => number.serialize(serializer),
            Value::String(string) => serializer.serialize_str(string),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(object) => object.serialize(serializer),
        }
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(&**key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // As serde_json: a non-finite float has no JSON form.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(Str::from(value)))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Deserialize::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Object::with_capacity(map.size_hint().unwrap_or(0).min(64));
        let mut may_have_duplicates = false;
        while let Some(key) = map.next_key::<KeyStr>()? {
            let value: Value = map.next_value()?;
            if object.len() < LINEAR_DUPLICATE_CHECK {
                object.insert(key.0, value);
            } else {
                may_have_duplicates = true;
                object.entries.push((key.0, value));
            }
        }
        if may_have_duplicates {
            object.remove_duplicates();
        }
        Ok(Value::Object(object))
    }
}

/// An object key, deserialised straight into a shared string.
struct KeyStr(Str);

impl<'de> Deserialize<'de> for KeyStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyStr;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an object key")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<KeyStr, E> {
                Ok(KeyStr(interned_key(value)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Keys longer than this are not interned: field names and aliases are short.
const INTERNED_KEY_MAX_LEN: usize = 64;
/// The interner is emptied when it holds this many keys, so what it keeps is
/// bounded whatever names the responses use (aliases come from clients).
const INTERNED_KEYS_MAX: usize = 1024;

thread_local! {
    /// Object keys met while parsing on this thread. A subgraph response
    /// repeats the same few field names in every object of a list; shared, each
    /// is allocated once rather than once per object, which spares an
    /// allocation and a free per key and the memory of the copies (a few
    /// hundred bytes per entity of a long list, held while the request runs).
    static INTERNED_KEYS: std::cell::RefCell<std::collections::HashSet<Str, foldhash::fast::RandomState>> =
        std::cell::RefCell::default();
}

/// `key` as a shared string, the same allocation as the last time this thread
/// parsed it when it is short enough to be interned.
fn interned_key(key: &str) -> Str {
    if key.len() > INTERNED_KEY_MAX_LEN {
        return Str::from(key);
    }
    INTERNED_KEYS.with(|keys| {
        let Ok(mut keys) = keys.try_borrow_mut() else {
            return Str::from(key);
        };
        if let Some(shared) = keys.get(key) {
            return shared.clone();
        }
        if keys.len() >= INTERNED_KEYS_MAX {
            keys.clear();
        }
        let shared = Str::from(key);
        keys.insert(shared.clone());
        shared
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parsed_keys_are_shared() {
        let value: Value = serde_json::from_str(r#"[{"upc":"1"},{"upc":"2"}]"#).unwrap();
        let Value::Array(items) = &value else {
            panic!("not a list: {value:?}")
        };
        let key = |item: &Value| match item {
            Value::Object(object) => object.get_key_value("upc").unwrap().0.clone(),
            other => panic!("not an object: {other:?}"),
        };
        assert!(Arc::ptr_eq(&key(&items[0]), &key(&items[1])));
        let long = "k".repeat(INTERNED_KEY_MAX_LEN + 1);
        let text = format!(r#"[{{"{long}":1}},{{"{long}":2}}]"#);
        let Value::Array(items) = serde_json::from_str::<Value>(&text).unwrap() else {
            panic!("not a list")
        };
        let long_key = |item: &Value| match item {
            Value::Object(object) => object.get_key_value(&long).unwrap().0.clone(),
            other => panic!("not an object: {other:?}"),
        };
        assert!(!Arc::ptr_eq(&long_key(&items[0]), &long_key(&items[1])));
    }

    #[test]
    fn parses_and_serialises_like_serde_json() {
        let text = r#"{"b":1,"a":[true,null,"x",-2,1.5,{"z":{}}],"c":"\u00e9\n"}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            text.replace("\\u00e9", "é")
        );
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(value.to_json(), json);
        assert_eq!(Value::from(json), value);
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_at_the_first_position() {
        let small: Value = serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(serde_json::to_string(&small).unwrap(), r#"{"a":3,"b":2}"#);
        let mut text = String::from("{");
        for index in 0..100 {
            text.push_str(&format!("\"k{index}\":{index},"));
        }
        text.push_str("\"k5\":\"last\",\"k99\":0}");
        let large: Value = serde_json::from_str(&text).unwrap();
        let object = large.as_object().unwrap();
        assert_eq!(object.len(), 100);
        assert_eq!(object.get("k5"), Some(&Value::String("last".into())));
        assert_eq!(object.iter().nth(5).map(|(key, _)| &**key), Some("k5"));
        assert_eq!(object.get("k99"), Some(&Value::from(json!(0))));
    }

    #[test]
    fn object_equality_ignores_order() {
        let a = Value::from(json!({"x": 1, "y": [1, 2]}));
        let b = Value::from(json!({"y": [1, 2], "x": 1}));
        assert_eq!(a, b);
        assert_ne!(a, Value::from(json!({"x": 1})));
        assert_ne!(a, Value::from(json!({"x": 1, "y": [2, 1]})));
    }

    #[test]
    fn object_edits_keep_order() {
        let mut object = Object::new();
        object.insert("a", Value::Null);
        object.insert("b", Value::Bool(true));
        object.insert("a", Value::Bool(false));
        *object.get_or_insert_null("c") = Value::from(json!(3));
        assert_eq!(object.remove("b"), Some(Value::Bool(true)));
        let keys: Vec<&str> = object.iter().map(|(key, _)| &**key).collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(object.get("a"), Some(&Value::Bool(false)));
    }

    #[test]
    fn non_finite_numbers_are_null() {
        assert_eq!(
            ValueVisitor
                .visit_f64::<de::value::Error>(f64::NAN)
                .unwrap(),
            Value::Null
        );
    }
}
