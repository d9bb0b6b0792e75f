//! What every notifier page can reach: the service's state and its templates. Its own module,
//! so the page router and the pages do not import each other.

use crate::state::AppState;
use axum::extract::FromRef;
use piazza_shared::{auth::Keys, web::Templates};

#[derive(Clone, Debug)]
pub struct PageState {
    pub app: AppState,
    pub templates: Templates,
}

impl FromRef<PageState> for Keys {
    fn from_ref(state: &PageState) -> Keys {
        state.app.keys.clone()
    }
}
