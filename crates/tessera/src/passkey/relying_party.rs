//! The relying party: who the passkeys are for, from the server's public URL.

use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

/// Builds the relying party of `public_url`: its host is the relying-party
/// id, its origin the only origin accepted (any path is the app's, not the
/// browser's). `http://localhost:8080` works, as browsers treat localhost as
/// a secure context.
pub(crate) fn relying_party(public_url: &str) -> Result<Webauthn, String> {
    let url = Url::parse(public_url).map_err(|err| format!("{public_url:?}: {err}"))?;
    let host = url
        .host_str()
        .ok_or_else(|| format!("{public_url:?} has no host"))?
        .to_owned();
    let origin = Url::parse(&url.origin().ascii_serialization())
        .map_err(|err| format!("{public_url:?}: {err}"))?;
    WebauthnBuilder::new(&host, &origin)
        .and_then(|builder| builder.rp_name("Tessera").build())
        .map_err(|err| format!("a relying party for {public_url:?}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_the_host_and_the_origin_drops_the_path() {
        let rp = relying_party("https://app.example/api").unwrap();
        let origins: Vec<String> = rp
            .get_allowed_origins()
            .iter()
            .map(|origin| origin.to_string())
            .collect();
        assert_eq!(origins, ["https://app.example/"]);
        assert!(relying_party("http://localhost:8080").is_ok());
        assert!(relying_party("not a url").is_err());
    }
}
