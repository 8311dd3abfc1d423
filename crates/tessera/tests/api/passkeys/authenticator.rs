//! A software passkey: what a platform authenticator and the browser do
//! between them, for tests that speak to the server over HTTP. It answers
//! WebAuthn options with the JSON of `PublicKeyCredential.toJSON()`: "none"
//! attestation, an ES256 key, a discoverable credential holding the user
//! handle, and a counter that rises with each assertion.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_DATA: u8 = 0x40;

pub(crate) struct SoftPasskey {
    key: SigningKey,
    credential_id: Vec<u8>,
    user_handle: Option<String>,
    /// The origin the "browser" reports, and the relying-party id it hashes.
    origin: String,
    rp_id: String,
    /// The signature counter: as registered, then raised by each assertion.
    pub(crate) counter: u32,
    /// Whether it says the user was verified (a PIN, a fingerprint).
    pub(crate) verifies_user: bool,
}

impl SoftPasskey {
    /// A new passkey in a browser at `origin` (its host is the relying party).
    pub(crate) fn new(origin: &str) -> Self {
        let url = url::Url::parse(origin).unwrap();
        Self {
            key: SigningKey::from_slice(&random_bytes()).unwrap(),
            credential_id: random_bytes(),
            user_handle: None,
            origin: origin.trim_end_matches('/').to_owned(),
            rp_id: url.host_str().unwrap().to_owned(),
            counter: 0,
            verifies_user: true,
        }
    }

    /// The credential's id as the server lists it (base64url).
    pub(crate) fn credential_id(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.credential_id)
    }

    /// Answers registration `options` (`{"publicKey": ...}`) with a new credential.
    pub(crate) fn register(&mut self, options: &Value) -> Value {
        let options = &options["publicKey"];
        assert_eq!(options["rp"]["id"], self.rp_id.as_str(), "{options}");
        self.user_handle = Some(options["user"]["id"].as_str().unwrap().to_owned());
        let client_data = self.client_data("webauthn.create", options);
        let point = self.key.verifying_key().to_encoded_point(false);
        let cose_key = Cbor::Map(vec![
            (Cbor::from(1), Cbor::from(2)),
            (Cbor::from(3), Cbor::from(-7)),
            (Cbor::from(-1), Cbor::from(1)),
            (Cbor::from(-2), Cbor::Bytes(point.x().unwrap().to_vec())),
            (Cbor::from(-3), Cbor::Bytes(point.y().unwrap().to_vec())),
        ]);
        let mut auth_data = self.auth_data(ATTESTED_DATA);
        auth_data.extend([0u8; 16]); // AAGUID: none
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(cbor(&cose_key));
        let attestation = Cbor::Map(vec![
            (Cbor::from("fmt"), Cbor::from("none")),
            (Cbor::from("attStmt"), Cbor::Map(vec![])),
            (Cbor::from("authData"), Cbor::Bytes(auth_data)),
        ]);
        json!({
            "id": self.credential_id(),
            "rawId": self.credential_id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "attestationObject": URL_SAFE_NO_PAD.encode(cbor(&attestation)),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        })
    }

    /// Answers sign-in `options` with an assertion, and counts it.
    pub(crate) fn assert(&mut self, options: &Value) -> Value {
        let options = &options["publicKey"];
        self.counter += 1;
        let client_data = self.client_data("webauthn.get", options);
        let auth_data = self.auth_data(0);
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: DerSignature = self.key.sign(&signed);
        json!({
            "id": self.credential_id(),
            "rawId": self.credential_id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "authenticatorData": URL_SAFE_NO_PAD.encode(auth_data),
                "signature": URL_SAFE_NO_PAD.encode(signature.as_bytes()),
                "userHandle": self.user_handle.clone().unwrap(),
            },
            "clientExtensionResults": {},
        })
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        let challenge = options["challenge"].as_str().unwrap();
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .unwrap()
    }

    fn auth_data(&self, extra_flags: u8) -> Vec<u8> {
        let mut flags = USER_PRESENT | extra_flags;
        if self.verifies_user {
            flags |= USER_VERIFIED;
        }
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend(self.counter.to_be_bytes());
        data
    }
}

/// 32 random bytes (two version 4 UUIDs' worth).
fn random_bytes() -> Vec<u8> {
    let (first, second) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    [first.as_bytes().as_slice(), second.as_bytes()].concat()
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).unwrap();
    bytes
}
