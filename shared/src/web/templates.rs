//! Templates compiled into the binary (minijinja, HTML auto-escaped): the shared layout and
//! error page, plus each service's own pages, which extend the layout.

use anyhow::Context;
use minijinja::{Environment, State, Value};
use std::sync::Arc;

const SHARED: [(&str, &str); 3] = [
    ("layout.html", include_str!("../../templates/layout.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
];

/// A service's templates; cheap to clone.
#[derive(Clone)]
pub struct Templates(Arc<Environment<'static>>);

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.templates().map(|(name, _)| name))
            .finish()
    }
}

/// `t("Italiano", "English")`: the text in the page's language.
fn translate(state: &State, it: String, en: String) -> String {
    let english = state
        .lookup("lang")
        .is_some_and(|lang| lang.as_str() == Some("en"));
    if english { en } else { it }
}

impl Templates {
    /// The shared templates and `pages` (name, source); every one is parsed now, so a broken
    /// template stops the service at start-up rather than on a visitor's request.
    pub fn new(pages: &[(&'static str, &'static str)]) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        env.add_function("t", translate);
        for (name, source) in SHARED.iter().chain(pages) {
            env.add_template(name, source)
                .with_context(|| format!("template {name}"))?;
        }
        Ok(Self(Arc::new(env)))
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: Value) -> anyhow::Result<String> {
        let template = self.0.get_template(name)?;
        template
            .render(context)
            .with_context(|| format!("rendering {name}"))
    }
}
