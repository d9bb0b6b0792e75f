//! `piazza demo`: fills an empty Piazza with a small, realistic programme of Cremona's Centro
//! Storico — two buildings and five spaces, a season of eight events with a pathway, a call for
//! ideas, an operator's booking request and its proposal, registrations and subscribers — and
//! prints how to sign in, so that a newcomer sees every page at work in a minute.
//!
//! Everything goes through Piazza's own HTTP API, as the administrator, the operator and the young
//! people would send it: the demo is one more client, so it fills PostgreSQL + RabbitMQ as it fills
//! the embedded default, and every rule (validation, quotas, the bus) applies to it. Only the three
//! accounts are made the way `piazza user add` makes them. Dates are relative to the application's
//! clock, so the programme always lies in the weeks ahead.
//!
//! Over 400 lines as one thing: most of it is the demo programme itself (spaces, events, people),
//! written out as the API bodies an administrator would send.

use anyhow::{Context, bail};
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use piazza_shared::{
    auth::Role,
    clock,
    db::Db,
    runtime::Application,
    settings::Settings,
    web::{Lang, words},
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::Path;

/// The demo's accounts (their passwords are drawn at random and printed once).
const ADMIN: &str = "admin@demo.piazza.example";
const OPERATOR: &str = "operatore@demo.piazza.example";
const EVALUATOR: &str = "valutatore@demo.piazza.example";
const ORGANISATION: &str = "Cooperativa Officina Giovani";

/// Runs every service in this process, fills it when it is empty, prints how to sign in, and
/// then keeps serving (or stops, with `fill_only`).
pub async fn run(settings: Settings, fill_only: bool) -> anyhow::Result<()> {
    let app = Application::build(settings.clone(), &super::ALL, &super::ALL).await?;
    let address = app.local_addr()?;
    super::serve::announce(
        &app,
        &settings,
        "booking, scheduler, notifier and monitoring, with the demo",
    );
    let stop = app.shutdown_token();
    let running = tokio::spawn(app.run_until_stopped());
    let base = format!("http://{address}");
    let filled = fill(&settings, &base).await;
    match &filled {
        Ok(Some(accounts)) => print_welcome(&settings, &base, accounts),
        Ok(None) => println!(
            "This Piazza already has spaces: the demo fills only an empty one, so nothing was added.\n\
             Open {base}/ to see it."
        ),
        Err(_) => {} // said by `main`, with its cause
    }
    if fill_only || filled.is_err() {
        stop.cancel();
    } else {
        crate::signals::cancel_on_signal(stop);
    }
    running
        .await
        .context("the services stopped unexpectedly")??;
    filled.map(|_| ()).context("the demo could not fill Piazza")
}

/// The accounts made, with their passwords.
struct Accounts {
    admin: String,
    operator: String,
    evaluator: String,
}

fn print_welcome(settings: &Settings, base: &str, accounts: &Accounts) {
    println!("Piazza is filled with a demo programme of the Centro Storico: {base}/");
    println!();
    println!("Sign in at {base}/login as");
    println!("  administrator  {ADMIN}  password {}", accounts.admin);
    println!(
        "  operator       {OPERATOR}  password {}  ({ORGANISATION})",
        accounts.operator
    );
    println!(
        "  evaluator      {EVALUATOR}  password {}",
        accounts.evaluator
    );
    println!("(the passwords are shown only now; `piazza user password` sets new ones)");
    if settings.smtp_url.is_none() {
        println!();
        println!(
            "Emails are written as files to {}: the subscribers' confirmations and the announcements are there.",
            settings.data_dir.join("outbox").display()
        );
    }
}

/// A client of the running Piazza, with the token of whoever it acts for.
struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = response.status();
        let value = response.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, value))
    }

    /// A write that must succeed; answers the created item.
    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> anyhow::Result<Value> {
        let (status, value) = self.send(Method::POST, path, token, Some(body)).await?;
        if !status.is_success() {
            bail!("POST {path} answered {status}: {value}");
        }
        Ok(value)
    }

    async fn get(&self, path: &str, token: Option<&str>) -> anyhow::Result<Value> {
        let (status, value) = self.send(Method::GET, path, token, None).await?;
        if !status.is_success() {
            bail!("GET {path} answered {status}: {value}");
        }
        Ok(value)
    }

    async fn token(&self, email: &str, password: &str) -> anyhow::Result<String> {
        let answer = self
            .post(
                "/api/v1/auth/token",
                None,
                &json!({ "email": email, "password": password }),
            )
            .await?;
        answer["access_token"]
            .as_str()
            .map(str::to_string)
            .context("a token in the answer")
    }
}

fn id(value: &Value) -> anyhow::Result<String> {
    value["id"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("an id in {value}"))
}

/// A password nobody guesses, readable enough to type.
fn password() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

/// Fills Piazza unless it has spaces already; answers the accounts made.
async fn fill(settings: &Settings, base: &str) -> anyhow::Result<Option<Accounts>> {
    let client = Client {
        http: piazza_shared::tls::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        base: base.to_string(),
    };
    wait_until_ready(&client).await?;
    let spaces = client.get("/api/v1/spaces", None).await?;
    if spaces["items"].as_array().is_some_and(|s| !s.is_empty()) {
        return Ok(None);
    }
    let accounts = make_accounts(settings).await?;
    let admin = client.token(ADMIN, &accounts.admin).await?;
    let operator = client.token(OPERATOR, &accounts.operator).await?;
    let zone = settings.time_zone;
    let plan = Plan::from_today(zone);

    let spaces = build_spaces(&client, &admin).await?;
    let season = client
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({
                "name": plan.season_name(),
                "description": "Cultura e percorsi per i giovani nel Centro Storico di Cremona.",
                "starts_on": plan.day(0).to_string(),
                "ends_on": plan.day(90).to_string(),
            }),
        )
        .await?;
    let season = id(&season)?;
    client
        .post(
            &format!("/api/v1/seasons/{season}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await?;
    // Subscribed first, so that publishing announces the events to them.
    subscribe(&client, settings).await?;
    let events = build_events(&client, &admin, &plan, &season, &spaces).await?;
    publish_when_placed(&client, &admin, &events).await?;
    register(&client, &events).await?;
    operator_work(&client, &operator, &admin, &plan, &season, &spaces).await?;
    if settings.smtp_url.is_none() {
        settle(&settings.data_dir.join("outbox")).await;
    }
    Ok(Some(accounts))
}

async fn wait_until_ready(client: &Client) -> anyhow::Result<()> {
    for _ in 0..100 {
        if let Ok((StatusCode::OK, _)) = client.send(Method::GET, "/readyz", None, None).await {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    bail!("Piazza did not become ready within 10 s")
}

async fn make_accounts(settings: &Settings) -> anyhow::Result<Accounts> {
    let accounts = Accounts {
        admin: password(),
        operator: password(),
        evaluator: password(),
    };
    let db = Db::connect(settings, piazza_booking::NAME).await?;
    for (email, role, organisation, password) in [
        (ADMIN, Role::Admin, None, &accounts.admin),
        (
            OPERATOR,
            Role::Operator,
            Some(ORGANISATION),
            &accounts.operator,
        ),
        (EVALUATOR, Role::Evaluator, None, &accounts.evaluator),
    ] {
        piazza_booking::accounts::create(&db, email, role, organisation, password.clone())
            .await
            .with_context(|| format!("creating {email}"))?;
    }
    db.close().await;
    Ok(accounts)
}

/// The days the programme is laid on, counted from the application's today.
struct Plan {
    today: NaiveDate,
    zone: Tz,
}

impl Plan {
    fn from_today(zone: Tz) -> Self {
        Self {
            today: clock::now().with_timezone(&zone).date_naive(),
            zone,
        }
    }

    fn day(&self, after: i64) -> NaiveDate {
        self.today + Duration::days(after)
    }

    /// The first `weekday` at least `after` days from today.
    fn next(&self, weekday: chrono::Weekday, after: i64) -> NaiveDate {
        let mut day = self.day(after);
        while day.weekday() != weekday {
            day += Duration::days(1);
        }
        day
    }

    fn at(&self, day: NaiveDate, time: &str) -> anyhow::Result<String> {
        words::local_instant(&day.to_string(), time, self.zone).map_err(anyhow::Error::msg)
    }

    fn season_name(&self) -> String {
        let end = self.day(90);
        format!(
            "Centro Storico Giovani, {} {} – {} {}",
            words::month_name(self.today.month(), Lang::It),
            self.today.year(),
            words::month_name(end.month(), Lang::It),
            end.year()
        )
    }
}

/// The spaces by their role in the programme.
struct Spaces {
    salone: String,
    sala_studio: String,
    laboratorio: String,
    cortile: String,
    piazza: String,
}

fn hours(opens: &str, closes: &str) -> Value {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    Value::Array(
        days.iter()
            .map(|d| json!({ "weekday": d, "opens": opens, "closes": closes }))
            .collect(),
    )
}

async fn build_spaces(client: &Client, admin: &str) -> anyhow::Result<Spaces> {
    let space = |body: Value| async move {
        let created = client.post("/api/v1/spaces", Some(admin), &body).await?;
        id(&created)
    };
    let salone = space(json!({
        "name": "Salone delle Colonne", "building": "Palazzo Cittanova",
        "address": "Piazza Stradivari, Cremona", "kind": "hall", "capacity": 120,
        "equipment": ["projector", "screen", "sound_system", "microphones", "wifi"],
        "accessibility": ["step_free", "lift", "accessible_toilet", "hearing_loop"],
        "time_zone": "Europe/Rome", "opening_hours": hours("09:00", "23:30"),
        "latitude": 45.1335, "longitude": 10.0247, "setup_minutes": 30, "teardown_minutes": 30,
    }))
    .await?;
    let sala_studio = space(json!({
        "name": "Sala studio", "building": "Palazzo Cittanova",
        "address": "Piazza Stradivari, Cremona", "kind": "room", "capacity": 30,
        "equipment": ["wifi", "whiteboard"], "accessibility": ["step_free"],
        "time_zone": "Europe/Rome", "opening_hours": hours("09:00", "22:00"),
        "parent_id": salone,
    }))
    .await?;
    let laboratorio = space(json!({
        "name": "Laboratorio", "building": "Palazzo Cittanova",
        "address": "Piazza Stradivari, Cremona", "kind": "lab", "capacity": 16,
        "equipment": ["workbenches", "wifi"], "accessibility": ["step_free"],
        "time_zone": "Europe/Rome", "opening_hours": hours("09:00", "21:00"),
        "parent_id": salone,
    }))
    .await?;
    let cortile = space(json!({
        "name": "Cortile Federico II", "building": "Palazzo Comunale",
        "address": "Piazza del Comune, Cremona", "kind": "courtyard", "capacity": 200,
        "equipment": ["sound_system", "stage", "stage_lighting", "chairs"],
        "accessibility": ["step_free", "accessible_toilet"],
        "time_zone": "Europe/Rome", "opening_hours": hours("10:00", "23:00"),
        "latitude": 45.1334, "longitude": 10.0227,
    }))
    .await?;
    let piazza = space(json!({
        "name": "Piazza Stradivari", "building": "Spazi all'aperto",
        "address": "Piazza Stradivari, Cremona", "kind": "square", "capacity": 500,
        "equipment": [], "accessibility": ["step_free"],
        "time_zone": "Europe/Rome", "opening_hours": [],
        "latitude": 45.1338, "longitude": 10.0251,
    }))
    .await?;
    Ok(Spaces {
        salone,
        sala_studio,
        laboratorio,
        cortile,
        piazza,
    })
}

async fn build_events(
    client: &Client,
    admin: &str,
    plan: &Plan,
    season: &str,
    spaces: &Spaces,
) -> anyhow::Result<Vec<String>> {
    use chrono::Weekday::{Fri, Sat, Sun, Thu, Tue, Wed};
    let pathway = client
        .post(
            "/api/v1/programmes",
            Some(admin),
            &json!({
                "season_id": season, "name": "Officina del fare", "kind": "pathway",
                "description": "Sei incontri di laboratorio per ragazze e ragazzi dai 15 ai 19 anni, \
                    con gli educatori del Comune: si costruisce, si ripara, si sta insieme.",
                "capacity": 12, "waitlist": true, "taken_as_whole": true,
            }),
        )
        .await?;
    let pathway = id(&pathway)?;
    let event = |title: &str,
                 description: &str,
                 categories: &[&str],
                 ages: (u8, u8),
                 day: NaiveDate,
                 times: (&str, &str),
                 (space, capacity): (&str, u32)|
     -> anyhow::Result<Value> {
        Ok(json!({
            "season_id": season, "title": title, "description": description,
            "categories": categories, "age_min": ages.0, "age_max": ages.1,
            "starts_at": plan.at(day, times.0)?, "ends_at": plan.at(day, times.1)?,
            "time_zone": "Europe/Rome", "space_id": space, "capacity": capacity,
            "funding_line": "fesr",
        }))
    };
    let mut bodies = vec![
        event(
            "Open mic nel Cortile",
            "Microfono aperto per band, rapper e cantautori under 30: iscriviti e suona.",
            &["music"],
            (16, 29),
            plan.next(Fri, 7),
            ("18:00", "21:00"),
            (&spaces.cortile, 150),
        )?,
        event(
            "Teatro di strada in Piazza",
            "Una compagnia di giovani attori porta in piazza storie del Centro Storico.",
            &["theatre"],
            (0, 99),
            plan.next(Sun, 9),
            ("17:00", "19:00"),
            (&spaces.piazza, 300),
        )?,
        event(
            "Hip hop e breaking: open session",
            "Due ore di danza con i crew della città; si impara guardando e provando.",
            &["dance", "sport"],
            (14, 25),
            plan.next(Sat, 12),
            ("15:00", "17:00"),
            (&spaces.salone, 100),
        )?,
        event(
            "Il Centro visto da noi: mostra fotografica",
            "Le foto del laboratorio di fotografia di quartiere, con gli autori presenti.",
            &["visual_arts"],
            (14, 35),
            plan.next(Wed, 14),
            ("17:00", "20:00"),
            (&spaces.sala_studio, 25),
        )?,
        event(
            "La città che vorrei",
            "Un incontro aperto per dire al Comune che cosa manca ai giovani nel Centro Storico.",
            &["civic"],
            (16, 30),
            plan.next(Tue, 16),
            ("18:00", "20:00"),
            (&spaces.sala_studio, 25),
        )?,
        event(
            "Liuteria per ragazzi",
            "Come nasce un violino a Cremona: quattro pomeriggi con un maestro liutaio.",
            &["workshop"],
            (14, 19),
            plan.next(Wed, 7),
            ("16:00", "18:00"),
            (&spaces.laboratorio, 12),
        )?,
    ];
    bodies[5]["recurrence"] = json!("FREQ=WEEKLY;COUNT=4");
    let mut cineforum = event(
        "Cineforum giovani",
        "Un film al mese scelto e presentato da un gruppo di studenti, poi si discute.",
        &["cinema"],
        (15, 30),
        plan.next(Thu, 7),
        ("20:30", "23:00"),
        (&spaces.salone, 100),
    )?;
    cineforum["recurrence"] = json!("FREQ=WEEKLY;INTERVAL=4;COUNT=3");
    bodies.push(cineforum);
    let mut officina = event(
        "Officina del fare",
        "Il percorso del sabato mattina: si costruisce, si ripara, si sta insieme.",
        &["socio_educational", "workshop"],
        (15, 19),
        plan.next(Sat, 7),
        ("10:00", "12:00"),
        (&spaces.laboratorio, 12),
    )?;
    officina["programme_id"] = json!(pathway);
    officina["recurrence"] = json!("FREQ=WEEKLY;COUNT=6");
    officina["funding_line"] = json!("fse_plus");
    bodies.push(officina);

    let mut ids = Vec::new();
    for body in &bodies {
        let created = client.post("/api/v1/events", Some(admin), body).await?;
        ids.push(id(&created)?);
    }
    Ok(ids)
}

/// Publishes each event once booking has confirmed its space over the bus.
async fn publish_when_placed(
    client: &Client,
    admin: &str,
    events: &[String],
) -> anyhow::Result<()> {
    for event in events {
        let mut placed = false;
        for _ in 0..150 {
            let current = client
                .get(&format!("/api/v1/events/{event}"), Some(admin))
                .await?;
            match current["space_status"].as_str() {
                Some("confirmed") => {
                    placed = true;
                    break;
                }
                Some("unavailable") => bail!("event {event} found no space: {current}"),
                _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
        if !placed {
            bail!("booking did not confirm the space of event {event} within 15 s");
        }
        client
            .post(
                &format!("/api/v1/events/{event}/publish"),
                Some(admin),
                &json!({}),
            )
            .await?;
    }
    Ok(())
}

/// The operator asks for a room and answers the call for ideas, which the administrator opens.
async fn operator_work(
    client: &Client,
    operator: &str,
    admin: &str,
    plan: &Plan,
    season: &str,
    spaces: &Spaces,
) -> anyhow::Result<()> {
    let day = plan.next(chrono::Weekday::Mon, 8);
    client
        .post(
            "/api/v1/bookings",
            Some(operator),
            &json!({
                "space_id": spaces.sala_studio, "title": "Doposcuola di quartiere",
                "starts_at": plan.at(day, "15:00")?, "ends_at": plan.at(day, "18:00")?,
                "attendees": 20, "recurrence": "FREQ=WEEKLY;COUNT=4",
            }),
        )
        .await?;
    let call = client
        .post(
            "/api/v1/calls",
            Some(admin),
            &json!({
                "season_id": season, "title": "Idee per il Centro Storico",
                "description": "Proposte di animazione culturale per i giovani negli spazi riattivati.",
                "opens_at": clock::now().to_rfc3339(),
                "closes_at": plan.at(plan.day(30), "23:59")?,
            }),
        )
        .await?;
    let call = id(&call)?;
    client
        .post(
            &format!("/api/v1/calls/{call}/proposals"),
            Some(operator),
            &json!({
                "title": "Podcast dal Centro",
                "description": "Un laboratorio di podcast: i ragazzi intervistano chi vive e lavora in centro.",
                "categories": ["workshop", "literature"], "age_min": 15, "age_max": 24,
                "capacity": 12,
                "preferred_slot": { "weekday": "thu", "starts": "16:00", "ends": "18:00" },
                "sessions": 5, "space_id": spaces.laboratorio,
            }),
        )
        .await?;
    Ok(())
}

/// Young people subscribe, as the public form does. Where emails are written as files, each
/// subscription is confirmed by following the link in its email, as its owner would.
async fn subscribe(client: &Client, settings: &Settings) -> anyhow::Result<()> {
    let people = [
        (
            "giulia.demo@example.org",
            2006,
            "it",
            &["music", "theatre"][..],
        ),
        (
            "matteo.demo@example.org",
            2009,
            "it",
            &["sport", "dance", "workshop"][..],
        ),
        (
            "sara.demo@example.org",
            2004,
            "en",
            &["cinema", "visual_arts", "civic"][..],
        ),
    ];
    for (email, birth_year, language, interests) in people {
        client
            .post(
                "/api/v1/subscribers",
                None,
                &json!({
                    "email": email, "interests": interests, "birth_year": birth_year,
                    "language": language, "frequency": "instant",
                }),
            )
            .await?;
    }
    if settings.smtp_url.is_none() {
        confirm_from_outbox(client, &settings.data_dir.join("outbox"), people.len()).await?;
    }
    Ok(())
}

/// Two of them register for an event, as its page does.
async fn register(client: &Client, events: &[String]) -> anyhow::Result<()> {
    for (event, email, name) in [
        (&events[0], "giulia.demo@example.org", "Giulia"),
        (&events[2], "matteo.demo@example.org", "Matteo"),
    ] {
        client
            .post(
                &format!("/api/v1/events/{event}/registrations"),
                None,
                &json!({ "email": email, "name": name }),
            )
            .await?;
    }
    Ok(())
}

/// Waits until no new email has been written for a second (at most 20 s), so that a demo run
/// with `--fill-only` stops with the announcements already in the folder.
async fn settle(outbox: &Path) {
    let count = || std::fs::read_dir(outbox).map_or(0, |d| d.count());
    let mut last = count();
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let now = count();
        if now == last {
            return;
        }
        last = now;
    }
}

/// Follows each confirmation link found in the emails written to `outbox`, pressing the page's
/// button as a person does.
async fn confirm_from_outbox(
    client: &Client,
    outbox: &Path,
    expected: usize,
) -> anyhow::Result<()> {
    // The notifier sends the confirmations from its outbox relay: give it a moment.
    let mut links = Vec::new();
    for _ in 0..100 {
        links = confirmation_links(outbox);
        if links.len() >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for link in links {
        let path = link
            .find("/subscriptions/confirm")
            .map(|at| &link[at..])
            .context("a confirmation path")?;
        let response = client
            .http
            .post(format!("{}{path}", client.base))
            .header(reqwest::header::ORIGIN, &client.base)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "confirming a demo subscription answered {}",
                response.status()
            );
        }
    }
    Ok(())
}

/// The confirmation links in the `.eml` files of `outbox` (quoted-printable text decoded).
fn confirmation_links(outbox: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(outbox) else {
        return Vec::new();
    };
    let mut links = Vec::new();
    for entry in entries.flatten() {
        let Ok(raw) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let text = decode_quoted_printable(&raw);
        if let Some(at) = text.find("/subscriptions/confirm?token=") {
            let start = text[..at].rfind("http").unwrap_or(at);
            let end = text[at..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
                .map_or(text.len(), |n| at + n);
            links.push(text[start..end].replace("&amp;", "&"));
        }
    }
    links.sort();
    links.dedup();
    links
}

/// Undoes quoted-printable (RFC 2045 §6.7): soft line breaks and `=XX` bytes.
fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_links_are_joined_and_decoded() {
        let text = "see http://x/subscriptions/confirm?token=3Dab=\r\ncd and =C3=A8";
        assert_eq!(
            decode_quoted_printable(text),
            "see http://x/subscriptions/confirm?token=abcd and è"
        );
    }

    #[test]
    fn the_season_is_named_by_its_months() {
        let plan = Plan {
            today: NaiveDate::from_ymd_opt(2027, 11, 20).unwrap(),
            zone: chrono_tz::Europe::Rome,
        };
        assert_eq!(
            plan.season_name(),
            "Centro Storico Giovani, novembre 2027 – febbraio 2028"
        );
        assert_eq!(plan.next(chrono::Weekday::Sat, 0).to_string(), "2027-11-20");
        assert_eq!(plan.next(chrono::Weekday::Sat, 1).to_string(), "2027-11-27");
    }
}
