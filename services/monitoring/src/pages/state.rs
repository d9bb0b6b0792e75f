//! What every monitoring page can reach: the service's state and the page templates (the shared
//! [`piazza_shared::web::PageState`]). Apart from the router in `mod.rs`, so pages and router do
//! not import each other.

pub type PageState = piazza_shared::web::PageState<crate::state::AppState>;
