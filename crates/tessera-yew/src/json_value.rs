//! A serde deserializer over a value from the browser's `JSON.parse`, for
//! [`crate::json::parse`].
//!
//! serde-wasm-bindgen's deserializer explains each mismatch ("invalid type:
//! floating point `1.5`, expected a string"); formatting those messages for
//! every type `parse` reads costs the app about 0.5 KB of its gzip budget, for
//! messages `parse` throws away. This one reports only that the value is not
//! shaped like the type asked for, so none of that code is kept. It accepts what serde-wasm-bindgen's accepts
//! for JSON values: `null` is a unit or `None`, integers are `i64`, other
//! numbers `f64`, arrays sequences, objects maps or structs, and enums are
//! externally tagged (`"Variant"` or `{"Variant": ...}`).

use std::fmt;

use js_sys::{Array, Number, Object};
use serde::de::value::{MapAccessDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// A JSON value not shaped like the type asked for; deliberately without
/// details (see the module documentation).
#[derive(Debug)]
pub(crate) struct Mismatch;

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the JSON value is not shaped like the expected type")
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: fmt::Display>(_message: T) -> Self {
        Mismatch
    }
}

/// A value from `JSON.parse`, to deserialize into a serde type.
pub(crate) struct Value(pub(crate) JsValue);

impl Value {
    fn is_nullish(&self) -> bool {
        self.0.is_null() || self.0.is_undefined()
    }

    /// The object's `[key, value]` pairs, in JavaScript's own key order.
    fn entries(self) -> Entries {
        let entries = Object::entries(self.0.unchecked_ref());
        Entries {
            entries,
            next: 0,
            value: None,
        }
    }
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        if self.is_nullish() {
            visitor.visit_unit()
        } else if let Some(flag) = self.0.as_bool() {
            visitor.visit_bool(flag)
        } else if let Some(number) = self.0.as_f64() {
            if Number::is_safe_integer(&self.0) {
                visitor.visit_i64(number as i64)
            } else {
                visitor.visit_f64(number)
            }
        } else if let Some(text) = self.0.as_string() {
            visitor.visit_string(text)
        } else if Array::is_array(&self.0) {
            let items = self.0.unchecked_into();
            visitor.visit_seq(Items { items, next: 0 })
        } else if self.0.is_object() {
            visitor.visit_map(self.entries())
        } else {
            Err(Mismatch)
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        if self.is_nullish() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        if let Some(variant) = self.0.as_string() {
            visitor.visit_enum(StringDeserializer::new(variant))
        } else if self.0.is_object() && !Array::is_array(&self.0) {
            visitor.visit_enum(MapAccessDeserializer::new(self.entries()))
        } else {
            Err(Mismatch)
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The items of an array, in order.
struct Items {
    items: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Mismatch;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Mismatch> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(Value(item)).map(Some)
    }
}

/// An object's `[key, value]` pairs; `value` holds the value of the key just read.
struct Entries {
    entries: Array,
    next: u32,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Mismatch;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Mismatch> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let entry: Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        self.value = Some(entry.get(1));
        seed.deserialize(Value(entry.get(0))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Mismatch> {
        let value = self.value.take().ok_or(Mismatch)?;
        seed.deserialize(Value(value))
    }
}
