//! Reading a delivered MIME message: its subject and its text and HTML
//! parts, decoded from quoted-printable where lettre chose it.

use super::Delivered;

/// The recipient, subject and decoded text and HTML parts of a MIME message.
pub(super) fn parse(to: &str, data: &str) -> Delivered {
    let (headers, _) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    let subject = header(headers, "subject").unwrap_or_default();
    let mut delivered = Delivered {
        to: to.to_owned(),
        subject,
        text: String::new(),
        html: String::new(),
    };
    let boundary = header(headers, "content-type")
        .and_then(|value| value.split("boundary=").nth(1).map(str::to_owned))
        .map(|boundary| boundary.trim_matches('"').to_owned())
        .expect("a multipart message");
    for part in data.split(&format!("--{boundary}")).skip(1) {
        let Some((part_headers, body)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let kind = header(part_headers, "content-type").unwrap_or_default();
        let encoding = header(part_headers, "content-transfer-encoding").unwrap_or_default();
        let decoded = decode(body.trim_end(), &encoding);
        if kind.starts_with("text/plain") {
            delivered.text = decoded;
        } else if kind.starts_with("text/html") {
            delivered.html = decoded;
        }
    }
    delivered
}

/// Header `name`'s value, unfolded.
fn header(headers: &str, name: &str) -> Option<String> {
    let unfolded = headers.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn decode(body: &str, encoding: &str) -> String {
    if !encoding.eq_ignore_ascii_case("quoted-printable") {
        assert!(
            !encoding.eq_ignore_ascii_case("base64"),
            "an ASCII body should not need base64"
        );
        return body.replace("\r\n", "\n");
    }
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Some(byte) = std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap().replace("\r\n", "\n")
}
