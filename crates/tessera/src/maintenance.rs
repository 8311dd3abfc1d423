//! What every instance runs in the background ([`Tessera::maintenance`](crate::Tessera::maintenance)):
//! the revocation follower, the key-ring reload, the limiter purge and the
//! mail outbox's sender.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::MissedTickBehavior;

use crate::clock::unix_now;
use crate::revocation;
use crate::state::AppState;
use crate::store::{RevocationFeed, RevocationRow, Store, StoreError};
use crate::token::TokenService;

/// How often an instance looks for a changed key ring.
pub const KEY_RELOAD_INTERVAL: Duration = Duration::from_secs(2);

/// Runs the four loops until the future is dropped.
pub(crate) async fn run(state: AppState) {
    let limits = state.limits.clone();
    let forget_idle_clients = async move {
        let mut tick = tokio::time::interval(revocation::PURGE_INTERVAL);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            limits.forget_idle();
        }
    };
    let outbox = crate::mail::run_sender(
        state.store.clone(),
        state.mail.clone(),
        state.secrets_key.clone(),
    );
    tokio::join!(
        follow_revocations(
            state.store.clone(),
            state.tokens.clone(),
            state
                .session_settings
                .horizon(state.tokens.settings().access_ttl),
        ),
        follow_keys(state.tokens.clone()),
        forget_idle_clients,
        outbox,
    );
}

/// Keeps the in-memory deny list in step with the store and purges what has
/// expired. Revocations by the CLI or other instances arrive through Postgres
/// notifications at once where there are any, and through polling (every
/// second, re-reading a window of ids below the cursor for rows committed out
/// of id order, plus a full re-read with each purge) always, which also covers
/// notifications missed while the feed reconnected.
async fn follow_revocations(store: Store, tokens: Arc<TokenService>, session_horizon: u64) {
    let mut feed = match store.revocation_feed().await {
        Ok(feed) => feed,
        Err(err) => {
            tracing::warn!(error = %err, "no revocation feed; polling only");
            None
        }
    };
    let mut sync = tokio::time::interval(revocation::SYNC_INTERVAL);
    sync.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut purge = tokio::time::interval(revocation::PURGE_INTERVAL);
    purge.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            announced = next_announced(&mut feed) => match announced {
                Ok(Some(row)) => tokens.revocations().apply(&[row]),
                Ok(None) => {}
                Err(err) => tracing::warn!(error = %err, "revocation feed interrupted; it reconnects by itself"),
            },
            _ = sync.tick() => {
                if let Err(err) = tokens.revocations().sync(&store).await {
                    tracing::warn!(error = %err, "cannot read revocations; keeping the current list");
                }
            }
            _ = purge.tick() => {
                let now = unix_now();
                tokens.revocations().purge(now);
                if let Err(err) = tokens.revocations().reload(&store).await {
                    tracing::warn!(error = %err, "cannot re-read revocations");
                }
                // Rows must outlive the tokens they deny by the leeway too, or a
                // server starting meanwhile would not load them.
                let horizon = tokens.revocations().horizon(now);
                if let Err(err) = store.purge_expired(horizon, session_horizon).await {
                    tracing::warn!(error = %err, "cannot purge expired sessions");
                }
            }
        }
    }
}

async fn next_announced(
    feed: &mut Option<RevocationFeed>,
) -> Result<Option<RevocationRow>, StoreError> {
    let Some(feed) = feed else {
        return std::future::pending().await;
    };
    let next = feed.next().await;
    if next.is_err() {
        // While the database is down every reconnect fails at once: pace them.
        tokio::time::sleep(revocation::SYNC_INTERVAL).await;
    }
    next
}

/// Swaps in the on-disk key ring when `tessera keys` (or another instance
/// sharing the data dir) changed it.
async fn follow_keys(tokens: Arc<TokenService>) {
    let mut tick = tokio::time::interval(KEY_RELOAD_INTERVAL);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let reloading = tokens.clone();
        match tokio::task::spawn_blocking(move || reloading.keys().reload_if_changed()).await {
            Ok(Ok(true)) => {
                tracing::info!(target: "tessera::audit", event = "keys_reloaded", kid = %tokens.keys().current().signing_kid(), "signing keys reloaded");
            }
            Ok(Ok(false)) => {}
            Ok(Err(err)) => {
                tracing::error!(error = %err, "cannot reload the signing keys; keeping the current ones");
            }
            Err(err) => tracing::error!(error = %err, "key reload task failed"),
        }
    }
}
