//! What every booking page can reach: the service's state and the page templates. Apart from
//! the router in `mod.rs`, so pages and router do not import each other.

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
