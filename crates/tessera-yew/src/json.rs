//! JSON in the browser: parsed by the browser's own `JSON.parse`, and re-indented
//! for display.
//!
//! `JSON.parse` plus a small deserializer over its result maps JSON text onto
//! the shared serde types without compiling a JSON parser into the wasm:
//! serde_json's parser and its error messages would cost about 12 KB of an
//! app's gzip budget.
//! So this crate never calls serde_json; [`parse()`] and [`stringify()`] need a
//! JavaScript engine (a browser, or node for the tests).

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Parses JSON text into `T`; `None` if it is not JSON or not shaped like `T`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    T::deserialize(crate::json_value::Value(value)).ok()
}

/// Serializes `value` to compact JSON text.
pub fn stringify<T: Serialize>(value: &T) -> Option<String> {
    let value = serde_wasm_bindgen::to_value(value).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// `value` as a JSON string literal (quoted and escaped) by the browser's
/// `JSON.stringify`.
pub fn quote(value: &str) -> Option<String> {
    let quoted = js_sys::JSON::stringify(&wasm_bindgen::JsValue::from_str(value)).ok()?;
    quoted.as_string()
}

/// A JSON object of string (or `null`) fields, in the order given: how
/// request bodies are written without compiling a serializer into the wasm
/// (serde-wasm-bindgen's would cost an app several KB of its gzip budget).
/// Name the fields as the `shared` request type does; `None` if a value
/// cannot be quoted.
pub fn object(fields: &[(&str, Option<&str>)]) -> Option<String> {
    let mut out = String::from("{");
    for (index, (name, value)) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
        match value {
            Some(value) => out.push_str(&quote(value)?),
            None => out.push_str("null"),
        }
    }
    out.push('}');
    Some(out)
}

/// Re-indents valid JSON text with two spaces per level, like
/// `serde_json::to_string_pretty`, keeping the keys in their original order.
pub fn pretty(json: &str) -> String {
    fn new_line(out: &mut String, depth: usize) {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    }
    let mut out = String::with_capacity(json.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0, false, false);
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            (in_string, escaped) = match c {
                _ if escaped => (true, false),
                '\\' => (true, true),
                '"' => (false, false),
                _ => (true, false),
            };
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.next_if(|next| next.is_ascii_whitespace()).is_some() {}
                if let Some(close) = chars.next_if(|&next| next == '}' || next == ']') {
                    out.push(close);
                } else {
                    depth += 1;
                    new_line(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                new_line(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}
