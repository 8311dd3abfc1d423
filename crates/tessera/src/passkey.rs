//! Passkeys (WebAuthn Level 2, through `webauthn-rs`): registration, a
//! sign-in with no username (discoverable credentials), and a passkey as the
//! second step of a password sign-in.
//!
//! Every ceremony is two requests. Its state (the challenge among it) is
//! stored in the database, so any instance can finish what another began;
//! it is taken once and lives [`CEREMONY_TTL_SECS`]. User verification is
//! required, and a counter must rise (one conditional statement, so two
//! instances cannot accept the same count). Knows the store, not HTTP.

mod error;
mod relying_party;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tessera_shared::{PasskeyChallenge, PasskeyInfo};
use webauthn_rs::prelude::{
    CredentialID, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Uuid, Webauthn,
};
use webauthn_rs_proto::{AuthenticatorSelectionCriteria, ResidentKeyRequirement};

use crate::clock::{new_id, unix_now};
use crate::store::{PasskeyRecord, Store};

pub(crate) use error::PasskeyError;
pub(crate) use relying_party::relying_party;

/// How long a ceremony may take, seconds (WebAuthn's default timeout).
pub(crate) const CEREMONY_TTL_SECS: u64 = 300;
/// The longest passkey name, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 64;

const REGISTER: &str = "register";
const SIGN_IN: &str = "sign_in";
const SECOND_STEP: &str = "second_step";

type Result<T, E = PasskeyError> = std::result::Result<T, E>;

/// A registration's stored state: the library's, and the user handle the
/// new credential will hold.
#[derive(Serialize, Deserialize)]
struct Registration {
    handle: String,
    state: PasskeyRegistration,
}

/// The passkey rules over the store and the relying party.
#[derive(Clone, Copy)]
pub(crate) struct Passkeys<'a> {
    store: &'a Store,
    rp: &'a Webauthn,
}

impl<'a> Passkeys<'a> {
    /// The rules over `store` for relying party `rp`.
    pub(crate) fn new(store: &'a Store, rp: &'a Webauthn) -> Self {
        Self { store, rp }
    }

    /// Begins registering a passkey for user `user_id` named `username`. The
    /// options ask for a discoverable credential (so it can sign in with no
    /// username) and exclude the user's passkeys.
    pub(crate) async fn start_registration(
        self,
        user_id: i64,
        username: &str,
    ) -> Result<PasskeyChallenge> {
        let existing = self.store.passkeys(user_id).await?;
        let handle = match existing.first() {
            Some(passkey) => handle_of(&passkey.user_handle).ok_or(PasskeyError::Internal(
                "a stored user handle does not read".to_owned(),
            ))?,
            None => Uuid::new_v4(),
        };
        let exclude = existing
            .iter()
            .filter_map(|passkey| URL_SAFE_NO_PAD.decode(&passkey.credential_id).ok())
            .map(CredentialID::from)
            .collect();
        let (mut options, state) = self
            .rp
            .start_passkey_registration(handle, username, username, Some(exclude))
            .map_err(|err| PasskeyError::Internal(err.to_string()))?;
        options.public_key.authenticator_selection = Some(AuthenticatorSelectionCriteria {
            authenticator_attachment: None,
            resident_key: Some(ResidentKeyRequirement::Required),
            require_resident_key: true,
            user_verification: webauthn_rs_proto::UserVerificationPolicy::Required,
        });
        let state = Registration {
            handle: URL_SAFE_NO_PAD.encode(handle.as_bytes()),
            state,
        };
        self.begin(REGISTER, Some(user_id), &state, &options).await
    }

    /// Finishes registration `ceremony` of user `user_id` with `credential`,
    /// naming the new passkey `name`.
    pub(crate) async fn finish_registration(
        self,
        user_id: i64,
        ceremony: &str,
        name: &str,
        credential: serde_json::Value,
    ) -> Result<PasskeyInfo> {
        let name = checked_name(name)?;
        let credential: RegisterPublicKeyCredential = parse(credential)?;
        let registration: Registration = self.take(REGISTER, ceremony, Some(user_id)).await?;
        // The user's own, asked first: the library refuses a credential the
        // options excluded as if its algorithm were wrong. Another user's is
        // only told apart after verification (the store's unique key), so
        // nobody learns whose credential ids exist without the key.
        let id = URL_SAFE_NO_PAD.encode(credential.raw_id.as_slice());
        let known = self.store.passkey_by_credential(&id).await?;
        if known.is_some_and(|known| known.user_id == user_id) {
            return Err(PasskeyError::Duplicate);
        }
        let passkey = self
            .rp
            .finish_passkey_registration(&credential, &registration.state)
            .map_err(|err| refused(user_id, "registration", err))?;
        let record = PasskeyRecord {
            id: new_id(),
            user_id,
            credential_id: URL_SAFE_NO_PAD.encode(passkey.cred_id().as_ref()),
            user_handle: registration.handle,
            name,
            passkey: serde_json::to_string(&passkey)?,
            sign_count: 0,
            created_at: unix_now(),
            last_used_at: None,
        };
        if !self.store.add_passkey(&record).await? {
            return Err(PasskeyError::Duplicate);
        }
        tracing::info!(target: "tessera::audit", event = "passkey_added", user_id, passkey = %record.id, "passkey registered");
        Ok(info(&record))
    }

    /// User `user_id`'s passkeys, oldest first.
    pub(crate) async fn list(self, user_id: i64) -> Result<Vec<PasskeyInfo>> {
        let passkeys = self.store.passkeys(user_id).await?;
        Ok(passkeys.iter().map(info).collect())
    }

    /// Renames user `user_id`'s passkey `id`.
    pub(crate) async fn rename(self, user_id: i64, id: &str, name: &str) -> Result<PasskeyInfo> {
        let name = checked_name(name)?;
        let renamed = self.store.rename_passkey(user_id, id, &name).await?;
        renamed.as_ref().map(info).ok_or(PasskeyError::NotFound)
    }

    /// Removes user `user_id`'s passkey `id`.
    pub(crate) async fn remove(self, user_id: i64, id: &str) -> Result<()> {
        if !self.store.delete_passkey(user_id, id).await? {
            return Err(PasskeyError::NotFound);
        }
        tracing::info!(target: "tessera::audit", event = "passkey_removed", user_id, passkey = %id, "passkey removed");
        Ok(())
    }

    /// Begins a sign-in with no username: any discoverable credential of
    /// this relying party may answer.
    pub(crate) async fn start_sign_in(self) -> Result<PasskeyChallenge> {
        let (mut options, state) = self
            .rp
            .start_discoverable_authentication()
            .map_err(|err| PasskeyError::Internal(err.to_string()))?;
        // The browser app chooses: a button asks at once, autofill waits.
        options.mediation = None;
        self.begin(SIGN_IN, None, &state, &options).await
    }

    /// Finishes sign-in `ceremony` with `credential`: the user it signs in.
    pub(crate) async fn finish_sign_in(
        self,
        ceremony: &str,
        credential: serde_json::Value,
    ) -> Result<i64> {
        let credential: PublicKeyCredential = parse(credential)?;
        let state: DiscoverableAuthentication = self.take(SIGN_IN, ceremony, None).await?;
        let (record, passkey) = self.stored(&credential).await?;
        let user_id = record.user_id;
        let (handle, _) = self
            .rp
            .identify_discoverable_authentication(&credential)
            .map_err(|err| refused(user_id, "sign-in", err))?;
        if Some(handle) != handle_of(&record.user_handle) {
            tracing::info!(target: "tessera::audit", event = "passkey_refused", user_id, "a passkey answered with another user handle");
            return Err(PasskeyError::Refused);
        }
        let result = self
            .rp
            .finish_discoverable_authentication(
                &credential,
                state,
                &[DiscoverableKey::from(&passkey)],
            )
            .map_err(|err| refused(user_id, "sign-in", err))?;
        self.record_use(&record, passkey, &result).await?;
        Ok(user_id)
    }

    /// Begins a second step by passkey for user `user_id`: only their
    /// passkeys may answer.
    pub(crate) async fn start_second_step(self, user_id: i64) -> Result<PasskeyChallenge> {
        let passkeys = self.store.passkeys(user_id).await?;
        if passkeys.is_empty() {
            return Err(PasskeyError::NoPasskeys);
        }
        let passkeys = passkeys
            .iter()
            .map(|record| serde_json::from_str(&record.passkey))
            .collect::<Result<Vec<Passkey>, _>>()?;
        let (options, state) = self
            .rp
            .start_passkey_authentication(&passkeys)
            .map_err(|err| PasskeyError::Internal(err.to_string()))?;
        self.begin(SECOND_STEP, Some(user_id), &state, &options)
            .await
    }

    /// Finishes second step `ceremony` of user `user_id` with `credential`.
    pub(crate) async fn finish_second_step(
        self,
        user_id: i64,
        ceremony: &str,
        credential: serde_json::Value,
    ) -> Result<()> {
        let credential: PublicKeyCredential = parse(credential)?;
        let state: PasskeyAuthentication = self.take(SECOND_STEP, ceremony, Some(user_id)).await?;
        let (record, passkey) = self.stored(&credential).await?;
        if record.user_id != user_id {
            return Err(PasskeyError::Refused);
        }
        let result = self
            .rp
            .finish_passkey_authentication(&credential, &state)
            .map_err(|err| refused(user_id, "second step", err))?;
        self.record_use(&record, passkey, &result).await
    }

    /// Stores a ceremony's `state` and answers its `options`.
    async fn begin<S: Serialize, O: Serialize>(
        self,
        kind: &str,
        user_id: Option<i64>,
        state: &S,
        options: &O,
    ) -> Result<PasskeyChallenge> {
        let ceremony = new_id();
        let now = unix_now();
        let state = serde_json::to_string(state)?;
        self.store
            .put_ceremony(
                &ceremony,
                kind,
                user_id,
                &state,
                now,
                now + CEREMONY_TTL_SECS,
            )
            .await?;
        Ok(PasskeyChallenge {
            ceremony,
            options: without_nulls(serde_json::to_value(options)?),
        })
    }

    /// Takes ceremony `ceremony` of `kind`, begun for `user_id`.
    async fn take<S: for<'de> Deserialize<'de>>(
        self,
        kind: &str,
        ceremony: &str,
        user_id: Option<i64>,
    ) -> Result<S> {
        let taken = self.store.take_ceremony(ceremony, kind, unix_now()).await?;
        match taken {
            Some((owner, state)) if owner == user_id => Ok(serde_json::from_str(&state)?),
            _ => Err(PasskeyError::UnknownCeremony),
        }
    }

    /// The stored passkey `credential` names, and its library record.
    async fn stored(self, credential: &PublicKeyCredential) -> Result<(PasskeyRecord, Passkey)> {
        let id = URL_SAFE_NO_PAD.encode(credential.get_credential_id());
        let record = self
            .store
            .passkey_by_credential(&id)
            .await?
            .ok_or(PasskeyError::Refused)?;
        let passkey = serde_json::from_str(&record.passkey)?;
        Ok((record, passkey))
    }

    /// Records a verified use of `record`, refused when its counter did not rise.
    async fn record_use(
        self,
        record: &PasskeyRecord,
        mut passkey: Passkey,
        result: &webauthn_rs::prelude::AuthenticationResult,
    ) -> Result<()> {
        if !result.user_verified() {
            return Err(PasskeyError::Refused);
        }
        passkey.update_credential(result);
        let json = serde_json::to_string(&passkey)?;
        let counter = u64::from(result.counter());
        if !self
            .store
            .record_passkey_use(&record.id, counter, &json, unix_now())
            .await?
        {
            tracing::warn!(target: "tessera::audit", event = "passkey_counter_replay", user_id = record.user_id, passkey = %record.id, "a passkey's counter did not rise: a cloned authenticator or a replay");
            return Err(PasskeyError::Refused);
        }
        Ok(())
    }
}

/// The name checked: trimmed, 1 to [`MAX_NAME_CHARS`] characters.
fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(PasskeyError::BadRequest(format!(
            "A passkey's name has 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_owned())
}

fn parse<T: for<'de> Deserialize<'de>>(credential: serde_json::Value) -> Result<T> {
    serde_json::from_value(credential)
        .map_err(|_| PasskeyError::BadRequest("Missing or invalid credential".to_owned()))
}

fn handle_of(stored: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(stored).ok()?;
    Uuid::from_slice(&bytes).ok()
}

fn refused(user_id: i64, ceremony: &str, err: impl std::fmt::Display) -> PasskeyError {
    tracing::info!(target: "tessera::audit", event = "passkey_refused", user_id, ceremony, reason = %err, "passkey not accepted");
    PasskeyError::Refused
}

fn info(record: &PasskeyRecord) -> PasskeyInfo {
    PasskeyInfo {
        id: record.id.clone(),
        name: record.name.clone(),
        created_at: crate::clock::utc_text(record.created_at),
        last_used_at: record.last_used_at.map(crate::clock::utc_text),
    }
}

/// `value` without its `null` members: the browser's JSON parsers take a
/// missing member for "not given", but refuse `null` where a list or a
/// string is expected.
fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(members) => members
            .into_iter()
            .filter(|(_, member)| !member.is_null())
            .map(|(key, member)| (key, without_nulls(member)))
            .collect(),
        serde_json::Value::Array(items) => items.into_iter().map(without_nulls).collect(),
        other => other,
    }
}
