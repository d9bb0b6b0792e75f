//! What every service's web pages share: the page layout and style sheet, Italian and English
//! texts, the session cookie that carries an operator's or administrator's signed token, CSRF
//! protection for the forms they post, and form bodies read without surprises.

pub mod assets;
pub mod challenge;
pub mod chart;
pub mod cookies;
pub mod csv;
pub mod errors;
pub mod extract;
pub mod form;
pub mod i18n;
pub mod messages;
pub mod page;
pub mod session;
pub mod state;
pub mod templates;
pub mod words;

pub use extract::{AdminOnly, AdminOrEvaluator, CsrfForm, OperatorOrAdmin, Roles, SignedIn};
pub use form::FormData;
pub use i18n::Lang;
pub use page::PageCtx;
pub use state::PageState;
pub use templates::Templates;
