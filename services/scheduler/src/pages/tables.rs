//! `/tables`: the public page of the co-design tables — each table's theme and members (no
//! personal data), its next meetings, and the minutes it has published. A social-services
//! table shows its meetings and counts, never its minutes (the same ops and rules as
//! `/api/v1/tables`).

use super::state::PageState;
use crate::ops::tables::{
    self, MemberView,
    meetings::{self, MeetingStatus, MeetingView},
};
use axum::{extract::State, response::Response};
use minijinja::{Value, context};
use piazza_shared::{
    contracts::{FundingLine, sector},
    web::{Lang, PageCtx, words},
};

/// A sector's name in the page's language (its code when the strategy does not name it).
pub fn sector_name(code: &str, lang: Lang) -> String {
    sector::KNOWN
        .iter()
        .find(|s| s.code == code)
        .map(|s| lang.pick(s.it, s.en).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn funding_name(line: Option<FundingLine>, lang: Lang) -> String {
    line.map(|l| l.label(lang.language()).to_string())
        .unwrap_or_default()
}

/// A member in words: an organisation's name, a sector's, or an invited person's role.
pub fn member_words(m: &MemberView, ctx: &PageCtx) -> String {
    if let Some(code) = &m.sector {
        return format!(
            "{}: {}",
            ctx.t("Settore", "Sector"),
            sector_name(code, ctx.lang)
        );
    }
    let role = match m.role.as_deref() {
        Some(crate::domain::tables::YOUTH_REPRESENTATIVE) => ctx
            .t(
                "rappresentante dei giovani",
                "young people's representative",
            )
            .to_string(),
        Some(other) => other.replace('_', " "),
        None => String::new(),
    };
    match (&m.name, role.is_empty()) {
        (Some(name), true) => name.clone(),
        (Some(name), false) => format!("{name} ({role})"),
        (None, false) => format!("{} ({role})", ctx.t("Persona invitata", "Invited person")),
        (None, true) => ctx.t("Persona invitata", "Invited person").to_string(),
    }
}

/// A meeting for a template.
pub fn meeting_value(m: &MeetingView, ctx: &PageCtx, fallback: chrono_tz::Tz) -> Value {
    let zone = m.time_zone.parse().unwrap_or(fallback);
    let status = match m.status {
        MeetingStatus::Scheduled => ctx.t("in programma", "scheduled"),
        MeetingStatus::Cancelled => ctx.t("annullato", "cancelled"),
        MeetingStatus::Held => ctx.t("svolto", "held"),
    };
    context! {
        id => m.id.to_string(),
        title => &m.title,
        when => words::instant(m.starts_at, zone, ctx.lang),
        date => m.starts_at.with_timezone(&zone).date_naive().to_string(),
        place => &m.space_name,
        agenda => &m.agenda,
        status => serde_json::to_value(m.status).ok().and_then(|s| s.as_str().map(str::to_string)),
        status_text => status,
        space_status => m.space_status.as_str(),
        space_text => words::status(m.space_status.as_str(), ctx.lang),
        space_reason => &m.space_reason,
        minutes => &m.minutes,
        attendance => m.attendance,
        youth => m.youth_representatives,
        decisions => m.decisions.iter().map(|d| context! {
            text => &d.text,
            led_to => d.led_to.as_ref().map(|t| format!("{} {}", t.kind.as_str(), t.id)),
        }).collect::<Vec<_>>(),
    }
}

/// `GET /tables`.
pub async fn page(State(state): State<PageState>, ctx: PageCtx) -> Response {
    let zone = state.app.settings.time_zone;
    let loaded = async {
        let list = tables::list(&state.app).await?;
        let meetings = meetings::all(&state.app, None).await?;
        let mut members = Vec::new();
        for t in &list {
            members.push(tables::members(&state.app, None, t.id).await?);
        }
        Ok::<_, crate::error::SchedulerError>((list, meetings, members))
    };
    let (list, by_table, members) = match loaded.await {
        Ok(all) => all,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let now = piazza_shared::clock::now();
    let rows: Vec<Value> = list
        .iter()
        .zip(members)
        .map(|(t, seated)| {
            let held = by_table.get(&t.id).cloned().unwrap_or_default();
            let next: Vec<Value> = held
                .iter()
                .filter(|m| m.status == MeetingStatus::Scheduled && m.ends_at > now)
                .map(|m| meeting_value(m, &ctx, zone))
                .collect();
            let minutes: Vec<Value> = held
                .iter()
                .rev()
                .filter(|m| m.status == MeetingStatus::Held)
                .map(|m| meeting_value(m, &ctx, zone))
                .collect();
            context! {
                id => t.id.to_string(),
                name => &t.name,
                theme => &t.theme,
                social => !t.minutes_public,
                funding => funding_name(t.funding_line, ctx.lang),
                members => seated.iter().map(|m| member_words(m, &ctx)).collect::<Vec<_>>(),
                next => next,
                minutes => minutes,
            }
        })
        .collect();
    ctx.render(&state.templates, "tables.html", context! { tables => rows })
}
