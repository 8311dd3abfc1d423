//! Edits of compact JWTs, as a forger or a corrupting proxy might make them: byte
//! level (bit flips, truncation, insertion, deletion), part level (swaps, base64url
//! replacements, parts of the other kind of token) and content level (a decoded
//! byte changed, a new header naming other algorithms, types, keys).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use proptest::sample::{select, Index};

/// One edit of a compact JWT, as a forger or a corrupting proxy might make it.
#[derive(Debug, Clone)]
pub(super) enum Edit {
    FlipBit(Index, u8),
    Truncate(Index),
    Insert(Index, u8),
    Remove(Index),
    SwapParts(Index, Index),
    /// Replace a part by any base64url text.
    ReplacePart(Index, String),
    /// Take the same part from the token of the other kind.
    Transplant(Index),
    /// Decode a part, change one byte, encode it again: valid base64, new content.
    PatchDecoded(Index, Index, u8),
    /// A new header (algorithm, type, key id, key-bearing fields); payload and signature kept.
    Rehead(&'static str, &'static str, bool, &'static str),
}

pub(super) fn edit() -> impl Strategy<Value = Edit> {
    let alg = select(&["HS256", "HS384", "none", "RS256", "ES256", "EdDSA"][..]);
    let typ = select(&["at+jwt", "refresh+jwt", "application/AT+JWT", "JWT"][..]);
    let extra = select(
        &[
            "",
            r#","jku":"http://x/k""#,
            r#","jwk":{}"#,
            r#","crit":["exp"]"#,
        ][..],
    );
    prop_oneof![
        (any::<Index>(), 0..8u8).prop_map(|(at, bit)| Edit::FlipBit(at, bit)),
        any::<Index>().prop_map(Edit::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Edit::Insert(at, byte)),
        any::<Index>().prop_map(Edit::Remove),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapParts(a, b)),
        (any::<Index>(), "[A-Za-z0-9_-]{0,48}").prop_map(|(at, s)| Edit::ReplacePart(at, s)),
        any::<Index>().prop_map(Edit::Transplant),
        (any::<Index>(), any::<Index>(), any::<u8>())
            .prop_map(|(part, at, byte)| Edit::PatchDecoded(part, at, byte)),
        (alg, typ, any::<bool>(), extra).prop_map(|(a, t, k, e)| Edit::Rehead(a, t, k, e)),
    ]
}

pub(super) fn apply(token: &str, other: &str, kid: &str, edit: &Edit) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut bytes = token.as_bytes().to_vec();
    let count = parts.len();
    let part = |at: &Index| at.index(count);
    match edit {
        Edit::FlipBit(at, bit) if !bytes.is_empty() => {
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        Edit::Truncate(at) if !bytes.is_empty() => bytes.truncate(at.index(bytes.len())),
        Edit::Insert(at, byte) => bytes.insert(at.index(bytes.len() + 1), *byte),
        Edit::Remove(at) if !bytes.is_empty() => drop(bytes.remove(at.index(bytes.len()))),
        Edit::SwapParts(a, b) => {
            let (a, b) = (part(a), part(b));
            parts.swap(a, b);
            return parts.join(".");
        }
        Edit::ReplacePart(at, text) => {
            parts[part(at)].clone_from(text);
            return parts.join(".");
        }
        Edit::Transplant(at) => {
            let at = part(at);
            parts[at] = other.split('.').nth(at).unwrap_or_default().to_owned();
            return parts.join(".");
        }
        Edit::PatchDecoded(at, byte_at, byte) => {
            let at = part(at);
            if let Ok(mut decoded) = URL_SAFE_NO_PAD.decode(&parts[at]) {
                if !decoded.is_empty() {
                    let i = byte_at.index(decoded.len());
                    decoded[i] = *byte;
                    parts[at] = URL_SAFE_NO_PAD.encode(decoded);
                }
            }
            return parts.join(".");
        }
        Edit::Rehead(alg, typ, with_kid, extra) => {
            let kid = if *with_kid {
                format!(r#","kid":"{kid}""#)
            } else {
                String::new()
            };
            let header = format!(r#"{{"alg":"{alg}","typ":"{typ}"{kid}{extra}}}"#);
            parts[0] = URL_SAFE_NO_PAD.encode(header);
            return parts.join(".");
        }
        _ => {}
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
