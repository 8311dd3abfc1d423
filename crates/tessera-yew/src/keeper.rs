//! The live session behind the context: the tokens as they are now, one shared
//! refresh at a time, and tokens another tab stored.

use std::cell::RefCell;
use std::rc::Rc;

use yew::platform::pinned::oneshot;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::storage::{load_tokens, store_tokens};
use crate::{http, Config, Error, ExpiredReason, SessionState, SignOut, Tokens};

type Refreshed = Result<AttrValue, Error>;

/// The session as async code sees it.
///
/// The reducer holds what was rendered, a snapshot; a request needs the tokens
/// as they are when it is sent, so they live here as well. Every change goes
/// through [`Keeper::apply`], which updates both and `localStorage`.
pub(crate) struct Keeper {
    pub(crate) config: Config,
    tokens: RefCell<Option<Tokens>>,
    /// `Some` while a refresh runs: everyone waiting for its outcome.
    waiting: RefCell<Option<Vec<oneshot::Sender<Refreshed>>>>,
    dispatch: UseReducerDispatcher<SessionState>,
}

impl Keeper {
    pub(crate) fn new(
        config: Config,
        tokens: Option<Tokens>,
        dispatch: UseReducerDispatcher<SessionState>,
    ) -> Self {
        Self {
            config,
            tokens: RefCell::new(tokens),
            waiting: RefCell::default(),
            dispatch,
        }
    }

    /// The tokens as they are now.
    pub(crate) fn tokens(&self) -> Option<Tokens> {
        self.tokens.borrow().clone()
    }

    /// Moves the session to `next`: here, in `localStorage` and in the rendered state.
    pub(crate) fn apply(&self, next: SessionState) {
        let tokens = next.tokens().cloned();
        if tokens != self.tokens() {
            store_tokens(&self.config.keys, tokens.as_ref());
            self.tokens.replace(tokens);
        }
        self.dispatch.dispatch(next);
    }

    /// Takes over what another tab stored: new tokens, or none after a sign-out.
    pub(crate) fn adopt_stored(&self) {
        let stored = load_tokens(&self.config.keys);
        if stored == self.tokens() {
            return;
        }
        let next = match &stored {
            Some(tokens) => SessionState::SignedIn(tokens.clone()),
            None => SessionState::SignedOut(Some(SignOut::OtherTab)),
        };
        self.tokens.replace(stored);
        self.dispatch.dispatch(next);
    }

    /// The access token to send now, after any refresh in flight.
    pub(crate) async fn access(self: &Rc<Self>) -> Option<AttrValue> {
        if let Some(refresh) = self.wait(false) {
            // Its outcome is in the tokens; a failure was handled by the refresh.
            drop(refresh.await);
        }
        self.tokens().map(|tokens| tokens.access)
    }

    /// An access token to use instead of `stale`, which the server refused or
    /// which is due.
    ///
    /// When the tokens changed since `stale` was read (a refresh here or in
    /// another tab), the current access token; otherwise a refresh, shared by
    /// every caller in this tab.
    pub(crate) async fn refreshed(self: &Rc<Self>, stale: &str) -> Refreshed {
        self.adopt_newer_stored();
        match self.tokens() {
            None => return Err(Error::SignedOut),
            Some(tokens) if tokens.access != stale => return Ok(tokens.access),
            Some(_) => {}
        }
        match self.wait(true) {
            Some(outcome) => outcome.await.unwrap_or(Err(Error::SignedOut)),
            None => Err(Error::SignedOut),
        }
    }

    /// Refreshes in the background unless `stale` was replaced already.
    pub(crate) fn refresh_soon(self: &Rc<Self>, stale: AttrValue) {
        let keeper = Rc::clone(self);
        spawn_local(async move { drop(keeper.refreshed(&stale).await) });
    }

    /// Starts a refresh unless one is in flight; calls made meanwhile wait for it.
    pub(crate) fn start_refresh(self: &Rc<Self>) {
        drop(self.wait(true));
    }

    /// A place in the queue for the refresh in flight; with `start`, starts one
    /// if there is none.
    fn wait(self: &Rc<Self>, start: bool) -> Option<oneshot::Receiver<Refreshed>> {
        let (sender, receiver) = oneshot::channel();
        // Not holding the borrow while the refresh is started.
        let first = {
            let mut waiting = self.waiting.borrow_mut();
            if let Some(waiters) = waiting.as_mut() {
                waiters.push(sender);
                false
            } else if start {
                *waiting = Some(vec![sender]);
                true
            } else {
                return None;
            }
        };
        if first {
            let keeper = Rc::clone(self);
            spawn_local(async move {
                let outcome = keeper.refresh().await;
                for waiter in keeper.waiting.take().unwrap_or_default() {
                    drop(waiter.send(outcome.clone()));
                }
            });
        }
        Some(receiver)
    }

    /// One refresh call. A 401 ends the session with the server's reason;
    /// other failures (offline, a server error) leave it for a later try.
    async fn refresh(&self) -> Refreshed {
        let Some(tokens) = self.tokens() else {
            return Err(Error::SignedOut);
        };
        let Some(refresh) = tokens.refresh.clone() else {
            self.apply(SessionState::Expired(ExpiredReason::TimedOut));
            return Err(Error::SignedOut);
        };
        self.dispatch
            .dispatch(SessionState::Refreshing(tokens.clone()));
        let outcome = http::refresh(&self.config, &refresh).await;
        // Signed out, or new tokens from elsewhere, while it ran: those win.
        let current = self.tokens();
        if current.as_ref().and_then(|now| now.refresh.as_ref()) != Some(&refresh) {
            return current.map(|now| now.access).ok_or(Error::SignedOut);
        }
        match outcome {
            Ok(issued) => {
                let tokens = Tokens::from(issued);
                let access = tokens.access.clone();
                self.apply(SessionState::SignedIn(tokens));
                Ok(access)
            }
            Err(err) => {
                if err.is_unauthorized() {
                    let reason = ExpiredReason::Refused(err.to_string());
                    self.apply(SessionState::Expired(reason));
                } else {
                    self.dispatch.dispatch(SessionState::SignedIn(tokens));
                }
                Err(err)
            }
        }
    }

    /// Takes over stored tokens issued after ours: another tab refreshed and its
    /// `storage` event has not arrived yet. (Older ones are left alone: they are
    /// what a full `localStorage` still holds.)
    fn adopt_newer_stored(&self) {
        let newer = match (load_tokens(&self.config.keys), self.tokens()) {
            (Some(stored), Some(ours)) if stored.claims.iat > ours.claims.iat => stored,
            _ => return,
        };
        self.tokens.replace(Some(newer.clone()));
        self.dispatch.dispatch(SessionState::SignedIn(newer));
    }
}

/// Ends the session on the server. If the server no longer takes the access
/// token (it expired while the tab slept), tries once more with a refreshed one.
pub(crate) async fn end_on_server(config: Config, tokens: Tokens) {
    let refresh = tokens.refresh.as_deref();
    match http::logout(&config, &tokens.access, refresh).await {
        Err(err) if err.is_unauthorized() => {}
        _ => return,
    }
    let Some(refresh) = refresh else {
        return;
    };
    if let Ok(issued) = http::refresh(&config, refresh).await {
        let refresh = Some(issued.refresh_token.as_str());
        drop(http::logout(&config, &issued.access_token, refresh).await);
    }
}
