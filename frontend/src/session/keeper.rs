//! The live session behind the context: the tokens as they are now, one shared
//! refresh at a time, and tokens another tab stored.

use std::cell::RefCell;
use std::rc::Rc;

use yew::platform::pinned::oneshot;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::storage::{load_tokens, store_tokens};
use super::{Session, SessionAction, Tokens, SIGNED_OUT_NOTICE};
use crate::api::{self, ApiError};
use crate::token;

type Refreshed = Result<AttrValue, ApiError>;

/// The session as async code sees it.
///
/// The reducer holds what was rendered, a snapshot; a request needs the tokens
/// as they are when it is sent, so they live here as well. Every change goes
/// through [`Keeper::apply`], which updates both and `localStorage`.
pub(crate) struct Keeper {
    tokens: RefCell<Option<Tokens>>,
    /// `Some` while a refresh runs: everyone waiting for its outcome.
    waiting: RefCell<Option<Vec<oneshot::Sender<Refreshed>>>>,
    dispatch: UseReducerDispatcher<Session>,
}

impl Keeper {
    pub(crate) fn new(tokens: Option<Tokens>, dispatch: UseReducerDispatcher<Session>) -> Self {
        Self {
            tokens: RefCell::new(tokens),
            waiting: RefCell::default(),
            dispatch,
        }
    }

    /// The tokens as they are now.
    pub(crate) fn tokens(&self) -> Option<Tokens> {
        self.tokens.borrow().clone()
    }

    /// Changes the session here, in `localStorage` and in the rendered state.
    pub(crate) fn apply(&self, action: SessionAction) {
        let tokens = match &action {
            SessionAction::SignIn(tokens) => Some(Some(tokens.clone())),
            SessionAction::SignOut(_) | SessionAction::Expire(_) => Some(None),
            SessionAction::Notify(_) => None,
        };
        if let Some(tokens) = tokens {
            store_tokens(tokens.as_ref());
            self.tokens.replace(tokens);
        }
        self.dispatch.dispatch(action);
    }

    /// Takes over what another tab stored: new tokens, or none after a sign-out.
    pub(crate) fn adopt_stored(&self) {
        let stored = load_tokens();
        if stored == self.tokens() {
            return;
        }
        let action = match &stored {
            Some(tokens) => SessionAction::SignIn(tokens.clone()),
            None => SessionAction::SignOut(SIGNED_OUT_NOTICE.into()),
        };
        self.tokens.replace(stored);
        self.dispatch.dispatch(action);
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
            None => return Err(ApiError::SignedOut),
            Some(tokens) if tokens.access != stale => return Ok(tokens.access),
            Some(_) => {}
        }
        match self.wait(true) {
            Some(outcome) => outcome.await.unwrap_or(Err(ApiError::SignedOut)),
            None => Err(ApiError::SignedOut),
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

    /// One `POST /refresh`. A 401 ends the session with the server's reason;
    /// other failures (offline, a server error) leave it for a later try.
    async fn refresh(&self) -> Refreshed {
        let Some(tokens) = self.tokens() else {
            return Err(ApiError::SignedOut);
        };
        let Some(refresh) = tokens.refresh else {
            self.apply(SessionAction::Expire(None));
            return Err(ApiError::SignedOut);
        };
        let outcome = api::refresh(&refresh).await;
        // Signed out, or new tokens from elsewhere, while it ran: those win.
        let current = self.tokens();
        if current.as_ref().and_then(|now| now.refresh.as_ref()) != Some(&refresh) {
            return current.map(|now| now.access).ok_or(ApiError::SignedOut);
        }
        match outcome {
            Ok(issued) => {
                let tokens = Tokens::from(issued);
                let access = tokens.access.clone();
                self.apply(SessionAction::SignIn(tokens));
                Ok(access)
            }
            Err(err) => {
                if err.is_unauthorized() {
                    self.apply(SessionAction::Expire(Some(err.to_string())));
                }
                Err(err)
            }
        }
    }

    /// Takes over stored tokens issued after ours: another tab refreshed and its
    /// `storage` event has not arrived yet. (Older ones are left alone: they are
    /// what a full `localStorage` still holds.)
    fn adopt_newer_stored(&self) {
        let issued = |tokens: &Tokens| token::decode(&tokens.access).ok()?.known.iat;
        let newer = match (load_tokens(), self.tokens()) {
            (Some(stored), Some(ours)) if issued(&stored) > issued(&ours) => stored,
            _ => return,
        };
        self.tokens.replace(Some(newer.clone()));
        self.dispatch.dispatch(SessionAction::SignIn(newer));
    }
}

/// Ends the session on the server. If the server no longer takes the access
/// token (it expired while the tab slept), tries once more with a refreshed one.
pub(crate) async fn end_on_server(tokens: Tokens) {
    let refresh = tokens.refresh.as_deref();
    match api::logout(&tokens.access, refresh).await {
        Err(err) if err.is_unauthorized() => {}
        _ => return,
    }
    let Some(refresh) = refresh else {
        return;
    };
    if let Ok(issued) = api::refresh(refresh).await {
        drop(api::logout(&issued.access_token, Some(&issued.refresh_token)).await);
    }
}
