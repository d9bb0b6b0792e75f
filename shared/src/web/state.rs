//! The state every service's pages share: the service's own state and its page templates, from
//! which the page extractors take the signing keys and the templates of their refusals.

use super::templates::Templates;
use crate::auth::Keys;
use axum::extract::FromRef;

/// A service's page state: its state (`app`) and its templates.
#[derive(Clone, Debug)]
pub struct PageState<A> {
    pub app: A,
    pub templates: Templates,
}

impl<A> FromRef<PageState<A>> for Keys
where
    Keys: FromRef<A>,
{
    fn from_ref(state: &PageState<A>) -> Keys {
        Keys::from_ref(&state.app)
    }
}

impl<A> FromRef<PageState<A>> for Templates {
    fn from_ref(state: &PageState<A>) -> Templates {
        state.templates.clone()
    }
}
