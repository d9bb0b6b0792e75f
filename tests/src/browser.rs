//! A real browser for the page tests: Debian's headless Chromium driven through `chromedriver`
//! over the W3C WebDriver protocol (a few JSON calls, so no client crate is needed). Each test
//! gets its own chromedriver on a free port and a fresh profile folder.
//!
//! Date and time inputs are filled by setting their value (Chromium's keyboard entry for them
//! depends on the locale); everything else is typed and clicked as a person would, or reached
//! with the Tab key and worked with the keyboard alone ([`Browser::tab_to`], [`Browser::press`]).
//!
//! Every page the browser shows is checked with axe-core against the WCAG 2.1 A and AA rules the
//! first time a test looks at it (see [`Browser::audit`]): a violation fails the test, naming the
//! rule, the address and the elements at fault.

use serde_json::{Value, json};
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tempfile::TempDir;
use tokio::process::{Child, Command};

/// The W3C key for an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long to wait for a page to show something.
const WAIT: Duration = Duration::from_secs(20);
/// The axe-core rule sets a page must pass: WCAG 2.0 and 2.1, levels A and AA.
const WCAG_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/// Key codes of the WebDriver protocol.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = " ";
/// How many presses of Tab may lead to an element before the page counts as unusable by keyboard.
const MAX_TABS: usize = 80;

pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:<port>/session/<id>`.
    session: String,
    driver: Child,
    _profile: TempDir,
    /// axe-core's source, injected into each page once.
    axe: String,
    /// Whether pages are checked as they are shown (see [`Browser::check_pages`]).
    checking: std::sync::atomic::AtomicBool,
}

/// axe-core's script, installed from the npm registry by `tests/run` (`PIAZZA_TEST_AXE`).
fn axe_source() -> String {
    let path = std::env::var("PIAZZA_TEST_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            let home = std::env::var("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/piazza/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is needed to check pages ({}: {e}); `bash tests/run` installs it",
            path.display()
        )
    })
}

/// Where the binaries are; `PIAZZA_TEST_CHROMIUM` and `PIAZZA_TEST_CHROMEDRIVER` override.
fn binary(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_string())
}

/// Where screenshots go: `$CARGO_TARGET_DIR/screenshots` (or `target/screenshots`).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("screenshots")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium (as root, so without the sandbox).
    pub async fn start() -> Self {
        Self::start_with(true).await
    }

    /// [`Browser::start`] with pages' JavaScript off (the visitor who blocks scripts); WebDriver's
    /// own scripts (`run`, `text`) still work.
    pub async fn start_without_javascript() -> Self {
        Self::start_with(false).await
    }

    async fn start_with(javascript: bool) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut driver = Command::new(binary("PIAZZA_TEST_CHROMEDRIVER", "chromedriver"));
        // Chromium's helper processes crash under libfaketime, which `tests/clock-shifted.sh`
        // preloads: the browser keeps the machine's real date. Pages never depend on the
        // browser's date (cookies carry Max-Age, the style sheet's address is versioned).
        if std::env::var("LD_PRELOAD").is_ok_and(|preload| preload.contains("faketime")) {
            driver.env_remove("LD_PRELOAD");
        }
        let driver = driver
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            // Its own process group, so that Chromium, which chromedriver starts, goes with it
            // when a test fails before `quit` (see `Drop`).
            .process_group(0)
            .spawn()
            .expect("starting chromedriver (apt-get install chromium chromium-driver)");
        let http = crate::http();
        let base = format!("http://127.0.0.1:{port}");
        crate::eventually("chromedriver to answer", WAIT, || {
            let request = http.get(format!("{base}/status")).send();
            async move {
                let body: Value = request.await.ok()?.json().await.ok()?;
                body["value"]["ready"].as_bool().filter(|r| *r)
            }
        })
        .await;
        let profile = tempfile::tempdir().expect("a profile folder");
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary("PIAZZA_TEST_CHROMIUM", "/usr/bin/chromium"),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=it-IT",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                // An Italian visitor, as most are: pages choose the language from this.
                "prefs": {
                    "intl.accept_languages": "it-IT,it",
                    "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 }
                }
            }
        }}});
        let answer: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("creating a browser session")
            .json()
            .await
            .expect("the session answer");
        let id = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {answer}"));
        Self {
            http,
            session: format!("{base}/session/{id}"),
            driver,
            _profile: profile,
            axe: axe_source(),
            checking: std::sync::atomic::AtomicBool::new(true),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request
            .send()
            .await
            .expect("talking to chromedriver")
            .json()
            .await
            .expect("a WebDriver answer");
        answer["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
        self.audit().await;
    }

    /// Checks the page shown with axe-core (WCAG 2.1 A and AA), once per page: the page is marked
    /// when checked, so a form sent or a link followed makes a new page that is checked again.
    /// Every other call that reads or works the page calls this first, so no page a test visits
    /// goes unchecked. Panics with the violations found.
    pub async fn audit(&self) {
        if !self.checking.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let fresh = self
            .run(
                "if (!document.documentElement || document.readyState === 'loading' \
                     || window.__piazzaAudited || !/^https?:/.test(location.href)) return false; \
                 window.__piazzaAudited = true; return true;",
                json!([]),
            )
            .await;
        if fresh != Value::Bool(true) {
            return;
        }
        let violations = self.violations().await;
        if !violations.is_empty() {
            let url = self.url().await;
            let list = violations.join("\n");
            panic!("axe-core found WCAG 2.1 A/AA violations on {url}:\n{list}");
        }
    }

    /// Stops (or starts again) checking pages as they are shown, for a test that times how fast
    /// a form is sent after its page was served: a check takes a second or more on a loaded
    /// machine. The page shown next after checking starts again is checked.
    pub fn check_pages(&self, on: bool) {
        self.checking
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// What axe-core finds wrong with the page as it is now (WCAG 2.1 A and AA), one line per
    /// rule broken with the elements at fault; empty when nothing is.
    pub async fn violations(&self) -> Vec<String> {
        self.run(
            &format!(
                "if (typeof axe === 'undefined') {{ {} }}\nreturn true;",
                self.axe
            ),
            json!([]),
        )
        .await;
        let found = self
            .post(
                "/execute/async",
                json!({
                    "script": "const done = arguments[arguments.length - 1]; \
                        axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, \
                                            resultTypes: ['violations'] }) \
                          .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, \
                              help: v.help, nodes: v.nodes.slice(0, 5).map(n => \
                                  n.target.join(' ') + ': ' + n.failureSummary) })))) \
                          .catch(e => done([{ id: 'axe-error', help: String(e), nodes: [] }]));",
                    "args": [WCAG_TAGS],
                }),
            )
            .await;
        found
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                format!(
                    "- {} ({}): {}\n    {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or(""),
                    v["nodes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n    ")
                )
            })
            .collect()
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs `script` in the page with `args` and returns its result.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    async fn try_find(&self, css: &str) -> Option<String> {
        self.audit().await;
        let found = self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await;
        found[ELEMENT].as_str().map(str::to_string)
    }

    /// The element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> String {
        crate::eventually(&format!("an element `{css}`"), WAIT, || self.try_find(css)).await
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/click"), json!({}))
            .await;
    }

    /// Types `text` into the field `css`, replacing what it held.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.post(&format!("/element/{element}/clear"), json!({}))
            .await;
        self.post(
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Chooses the file at `path` in the file input `css`: its path sent as keys to the
    /// element, as WebDriver does for file inputs.
    pub async fn attach(&self, css: &str, path: &Path) {
        let element = self.find(css).await;
        self.post(
            &format!("/element/{element}/value"),
            json!({ "text": path.to_string_lossy() }),
        )
        .await;
    }

    /// Sets a date, time or select field's value directly (see the module's note).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.run(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            json!([css, value]),
        )
        .await;
    }

    /// The page's address once it contains `needle` (after a form is sent or a link followed).
    pub async fn wait_for_url(&self, needle: &str) -> String {
        let url = crate::eventually(&format!("an address with `{needle}`"), WAIT, || async {
            let url = self.url().await;
            url.contains(needle).then_some(url)
        })
        .await;
        self.audit().await;
        url
    }

    /// The visible text of the first element matching `css`, or empty.
    pub async fn text(&self, css: &str) -> String {
        self.audit().await;
        self.run(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            json!([css]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Waits until the text of `css` contains `needle`, and returns that text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        crate::eventually(&format!("`{css}` to say `{needle}`"), WAIT, || async {
            let text = self.text(css).await;
            text.contains(needle).then_some(text)
        })
        .await
    }

    /// Resizes the window (a phone is about 390 × 844).
    pub async fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({ "width": width, "height": height }))
            .await;
    }

    /// Forgets every cookie (a different person at the same browser).
    pub async fn clear_cookies(&self) {
        self.call(reqwest::Method::DELETE, "/cookie", None).await;
    }

    /// Saves what the page looks like as `<screenshot_dir>/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        self.audit().await;
        let data = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("a PNG screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("the screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("writing the screenshot");
        path
    }

    /// Presses one key (e.g. [`TAB`], [`ENTER`], [`SPACE`]) or types text into whatever has the
    /// focus, as a keyboard does.
    pub async fn press(&self, keys: &str) {
        self.audit().await;
        let mut actions = Vec::new();
        for key in keys.chars() {
            actions.push(json!({ "type": "keyDown", "value": key.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": key.to_string() }));
        }
        self.post(
            "/actions",
            json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] }),
        )
        .await;
        self.call(reqwest::Method::DELETE, "/actions", None).await;
    }

    /// Types a date into the date field with the focus, as its owner would: day, month and year
    /// in the order the browser's own locale shows them (headless Chromium keeps en-US for its
    /// form fields whatever the page's language).
    pub async fn type_date(&self, date: chrono::NaiveDate) {
        let order = self
            .run(
                "return new Intl.DateTimeFormat().formatToParts(new Date(2001, 10, 22)) \
                   .filter(p => p.type !== 'literal').map(p => p.type).join(' ');",
                json!([]),
            )
            .await;
        let keys: String = order
            .as_str()
            .unwrap_or("day month year")
            .split(' ')
            .map(|part| match part {
                "day" => date.format("%d").to_string(),
                "month" => date.format("%m").to_string(),
                _ => date.format("%Y").to_string(),
            })
            .collect();
        self.press(&keys).await;
    }

    /// Types a time (`HH:MM`) into the time field with the focus: hours and minutes, and AM or PM
    /// where the browser's locale counts hours to 12.
    pub async fn type_time(&self, time: &str) {
        let time = chrono::NaiveTime::parse_from_str(time, "%H:%M").expect("a time HH:MM");
        let twelve = self
            .run(
                "return !!new Intl.DateTimeFormat(undefined, { hour: 'numeric' }) \
                   .resolvedOptions().hour12;",
                json!([]),
            )
            .await;
        let keys = if twelve == Value::Bool(true) {
            time.format("%I%M%p").to_string()[..5].to_string()
        } else {
            time.format("%H%M").to_string()
        };
        self.press(&keys).await;
    }

    /// Presses Tab until the element with the focus matches `css`, as someone without a mouse
    /// moves through a page, and checks that the focus can be seen there (an outline or a
    /// shadow). Panics when `css` is not reached within 80 presses.
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..MAX_TABS {
            self.press(TAB).await;
            let focus = self
                .run(
                    "const e = document.activeElement; \
                     if (!e || !e.matches(arguments[0])) return null; \
                     const s = getComputedStyle(e); \
                     return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) \
                         || s.boxShadow !== 'none';",
                    json!([css]),
                )
                .await;
            if let Some(visible) = focus.as_bool() {
                assert!(visible, "`{css}` has the focus but shows no focus ring");
                return;
            }
        }
        let at = self
            .run(
                "const e = document.activeElement; return e ? e.outerHTML.slice(0, 200) : '';",
                json!([]),
            )
            .await;
        panic!("`{css}` cannot be reached with the Tab key (the focus is on {at})");
    }

    /// Ends the browser session and chromedriver.
    pub async fn quit(mut self) {
        self.call(reqwest::Method::DELETE, "", None).await;
        let _ = self.driver.kill().await;
    }
}

impl Drop for Browser {
    /// A test that panics never reaches `quit`: end chromedriver's whole process group, or its
    /// Chromium would live on and take the machine's cores from the tests after it.
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}
