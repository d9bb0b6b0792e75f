//! Ideas from anyone: a call that `accepts_ideas` takes ideas from people without an account
//! (young people, informal groups). The public form and `POST /api/v1/ideas` store the idea
//! `unverified` and email its author a signed, expiring link; the email counts against the
//! public forms' limits ([`confirmations::admit`], subject `idea:<call>`). Only once the author
//! opens the link is the idea `verified` and shown to staff, who accept it — it becomes a
//! proposal of the call, marked with the idea's id — or decline it with a reason. The author is
//! told either way (`piazza.idea.decided`), and the monitoring counts ideas received and taken up
//! from messages without personal data.

use crate::{
    db::{calls, ideas, proposals},
    domain::{ProposalStatus, TextRule, check_birth_year, check_text},
    error::SchedulerError,
    ops::{
        calls::find as find_call,
        input,
        proposals::{ProposalView, WeeklySlot, proposal_view, summary},
    },
    state::AppState,
};
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    confirmations::{self, Admitted, Ask, Proof},
    contracts::{
        Category, Language,
        call::ProposalSubmitted,
        idea::{
            IdeaAuthor, IdeaAuthorErased, IdeaDecided, IdeaOutcome, IdeaReceived, IdeaTakenUp,
            IdeaVerificationRequested,
        },
        pathway::AgeBand,
    },
    email::{normalise_email, plausible_email},
    http::{ApiError, Violations},
    unit::Unit,
    web::challenge::Answered,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The purpose the verification links are signed for.
pub const VERIFY_LINK: &str = "idea.verify";
/// How long a verification link works: the idea waits unverified that long at most.
pub const VERIFY_HOURS: i64 = 72;

/// An idea's description: required, as long as an event's.
const DESCRIPTION: TextRule = TextRule {
    required: true,
    max: 10_000,
};
/// The informal group an author speaks for: optional.
const GROUP: TextRule = TextRule {
    required: false,
    max: 200,
};

/// Where an idea stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdeaStatus {
    /// Waiting for its author to open the emailed link; staff do not see it.
    Unverified,
    /// In the staff's queue.
    Verified,
    /// Taken up: it is a proposal of the call.
    Accepted,
    Declined,
}

piazza_shared::persisted_enum!(IdeaStatus {
    Unverified => "unverified",
    Verified => "verified",
    Accepted => "accepted",
    Declined => "declined",
});

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIdea {
    /// A call that takes ideas from anyone (`accepts_ideas`) and is open.
    pub call_id: Uuid,
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub title: String,
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub description: String,
    /// The author's name.
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub name: String,
    /// Where the verification link and the outcome go; only staff see it.
    pub email: String,
    /// The informal group the author speaks for.
    #[serde(default)]
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub group: Option<String>,
    /// `under_14`, `14_17`, `18_24`, `25_29` or `30_plus` (the bands the monitoring counts young
    /// people by); or give `birth_year` instead.
    #[serde(default)]
    #[schema(pattern = "^(under_14|14_17|18_24|25_29|30_plus)$")]
    pub age_band: Option<String>,
    /// Turned into its age band; the year itself is not kept.
    #[serde(default)]
    pub birth_year: Option<i64>,
    /// The language of the emails and pages about it. Default `it`.
    #[serde(default)]
    pub language: Option<Language>,
}

/// The answer to a sent idea: the same whether or not an email went (a repeat within the
/// public forms' window sends none), so the answer says nothing about an address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IdeaReceipt {
    /// Always `unverified`: the idea waits for its author to open the emailed link.
    pub status: IdeaStatus,
    /// Until when the link works.
    pub verify_by: DateTime<Utc>,
}

/// An idea as staff see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IdeaView {
    pub id: Uuid,
    pub call_id: Uuid,
    pub title: String,
    pub description: String,
    pub name: String,
    pub email: String,
    pub group: Option<String>,
    pub age_band: Option<String>,
    pub language: Language,
    pub status: IdeaStatus,
    /// Why it was declined.
    pub decision_reason: Option<String>,
    /// The proposal it became.
    pub proposal_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub fn idea_view(m: ideas::Model) -> IdeaView {
    IdeaView {
        id: m.id,
        call_id: m.call_id,
        language: Language::parse(&m.language).unwrap_or_default(),
        status: IdeaStatus::parse(&m.status).unwrap_or(IdeaStatus::Unverified),
        title: m.title,
        description: m.description,
        name: m.author_name,
        email: m.email,
        group: m.informal_group,
        age_band: m.age_band,
        decision_reason: m.decision_reason,
        proposal_id: m.proposal_id,
        created_at: m.created_at,
        verified_at: m.verified_at,
        decided_at: m.decided_at,
    }
}

/// Where an idea comes from: the client address and the page form's challenge (the API brings
/// none).
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    pub client: Option<&'a str>,
    pub challenge: Option<&'a Answered>,
}

/// The page that verifies idea `id`, signed until `expires`.
fn verify_url(state: &AppState, id: Uuid, expires: DateTime<Utc>) -> String {
    let token = state.keys.sign(VERIFY_LINK, &id.to_string(), expires);
    let mut url = state.settings.public_url();
    url.set_path(&format!("/ideas/{id}/verify"));
    url.query_pairs_mut().append_pair("token", &token);
    url.to_string()
}

/// Checks a call takes ideas now; the refusal names `call_id`.
fn check_call(v: &mut Violations, call: &calls::Model, now: DateTime<Utc>) {
    if !call.accepts_ideas {
        v.add(
            "call_id",
            "this call does not take ideas from people without an account",
        );
    } else if now < call.opens_at {
        v.add(
            "call_id",
            format!("the call opens at {}", call.opens_at.to_rfc3339()),
        );
    } else if now >= call.closes_at {
        v.add(
            "call_id",
            format!("the call closed at {}", call.closes_at.to_rfc3339()),
        );
    }
}

/// Takes an idea (public): stores it unverified and emails its author the verification link,
/// unless the same address asked for the same call within the repeat window (then nothing is
/// stored or sent, and the answer is the same). Over the forms' limits: 429 naming `email`.
pub async fn submit(
    state: &AppState,
    body: NewIdea,
    origin: Origin<'_>,
) -> Result<IdeaReceipt, SchedulerError> {
    let now = piazza_shared::clock::now();
    let mut v = Violations::new();
    let title = input::check_title(&mut v, &body.title);
    let description = check_text(&mut v, "description", &body.description, DESCRIPTION);
    let name = check_text(&mut v, "name", &body.name, TextRule::NAME);
    let email = normalise_email(&body.email);
    v.check(
        plausible_email(&email),
        "email",
        "not a valid email address",
    );
    let group = check_text(&mut v, "group", body.group.as_deref().unwrap_or(""), GROUP);
    let year = now.year();
    let age_band = match (&body.age_band, body.birth_year) {
        (Some(_), Some(_)) => {
            v.add("birth_year", "give either age_band or birth_year, not both");
            None
        }
        (Some(band), None) => {
            let codes = AgeBand::ALL.map(AgeBand::as_str);
            v.check(
                AgeBand::parse(band).is_some(),
                "age_band",
                format!("must be one of {}", codes.join(", ")),
            );
            Some(band.clone())
        }
        (None, Some(born)) => check_birth_year(&mut v, "birth_year", born, year)
            .map(|b| AgeBand::of(b, year).as_str().to_string()),
        (None, None) => None,
    };
    v.finish()?;
    let unit = state.begin().await?;
    if let Some(answered) = origin.challenge {
        answered.spend(&*unit).await?;
    }
    // Ideas whose link expired unopened are forgotten, with their author's data.
    ideas::Entity::delete_many()
        .filter(ideas::Column::Status.eq(IdeaStatus::Unverified.as_str()))
        .filter(ideas::Column::CreatedAt.lt(now - Duration::hours(VERIFY_HOURS)))
        .exec(&*unit)
        .await?;
    let call = find_call(&*unit, body.call_id).await?;
    let mut v = Violations::new();
    check_call(&mut v, &call, now);
    v.finish()?;
    let ask = Ask {
        recipient: &email,
        field: "email",
        client: origin.client,
        subject: format!("idea:{}", call.id),
        proof: origin.challenge.map_or(Proof::Api, |a| a.proof),
    };
    let expires = now + Duration::hours(VERIFY_HOURS);
    let receipt = IdeaReceipt {
        status: IdeaStatus::Unverified,
        verify_by: expires,
    };
    if confirmations::admit(&*unit, &state.settings.forms, &ask).await? == Admitted::Quiet {
        // The same verification went to this address moments ago: keep the first.
        unit.commit().await?;
        tracing::info!(call_id = %call.id, "idea repeated within the repeat window: nothing sent");
        return Ok(receipt);
    }
    let language = body.language.unwrap_or_default();
    let row = ideas::Model {
        id: Uuid::now_v7(),
        call_id: call.id,
        title,
        description,
        author_name: name,
        email,
        informal_group: (!group.is_empty()).then_some(group),
        age_band,
        language: language.as_str().into(),
        status: IdeaStatus::Unverified.as_str().into(),
        decision_reason: None,
        proposal_id: None,
        created_at: now,
        verified_at: None,
        decided_at: None,
        decided_by: None,
    };
    ideas::Entity::insert(ideas::ActiveModel::from(row.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let message = IdeaVerificationRequested {
        version: 1,
        idea_id: row.id,
        call_id: call.id,
        call_title: call.title.clone(),
        title: row.title.clone(),
        author: author(&row),
        link: verify_url(state, row.id, expires),
        expires_at: expires,
    };
    unit.publish(&message, Some(row.id.to_string())).await?;
    unit.commit().await?;
    tracing::info!(idea_id = %row.id, call_id = %call.id, "idea sent; verification emailed");
    Ok(receipt)
}

fn author(row: &ideas::Model) -> IdeaAuthor {
    IdeaAuthor {
        email: row.email.clone(),
        name: row.author_name.clone(),
        language: Language::parse(&row.language).unwrap_or_default(),
    }
}

/// The idea a verification link names: 403 when the token is not valid for it.
pub fn check_link(state: &AppState, id: Uuid, token: &str) -> Result<(), ApiError> {
    let claimed: String = state
        .keys
        .verify(VERIFY_LINK, token, piazza_shared::clock::now())
        .map_err(|e| ApiError::Forbidden(format!("the verification link is not valid: {e}")))?;
    if claimed != id.to_string() {
        return Err(ApiError::Forbidden(
            "the verification link is for another idea".into(),
        ));
    }
    Ok(())
}

/// The idea `id` as stored, or 404.
pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<ideas::Model, ApiError> {
    ideas::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("idea"))
}

/// Verifies the idea for the holder of its signed link: it joins the staff's queue (and is
/// counted as received). Returns it, and whether it was verified now (not before).
pub async fn verify(
    state: &AppState,
    id: Uuid,
    token: &str,
) -> Result<(ideas::Model, bool), SchedulerError> {
    check_link(state, id, token)?;
    let unit = state.begin().await?;
    let mut row = find(&*unit, id).await?;
    if row.status != IdeaStatus::Unverified.as_str() {
        unit.commit().await?;
        return Ok((row, false));
    }
    let call = find_call(&*unit, row.call_id).await?;
    let now = piazza_shared::clock::now();
    row.status = IdeaStatus::Verified.as_str().into();
    row.verified_at = Some(now);
    save(&unit, &row).await?;
    if let Some(message) = received(&row, &call) {
        unit.publish(&message, Some(row.id.to_string())).await?;
    }
    unit.commit().await?;
    tracing::info!(idea_id = %id, "idea verified by its author");
    Ok((row, true))
}

/// `idea.received` for an idea its author verified (none while it is unverified): when it
/// joined the staff's queue.
pub(crate) fn received(row: &ideas::Model, call: &calls::Model) -> Option<IdeaReceived> {
    Some(IdeaReceived {
        version: 1,
        idea_id: row.id,
        call_id: row.call_id,
        season_id: call.season_id,
        age_band: row.age_band.clone(),
        informal_group: row.informal_group.is_some(),
        received_at: row.verified_at?,
    })
}

/// `idea.taken_up` for an idea accepted into a proposal (none otherwise).
pub(crate) fn taken_up(row: &ideas::Model, call: &calls::Model) -> Option<IdeaTakenUp> {
    if row.status != IdeaStatus::Accepted.as_str() {
        return None;
    }
    Some(IdeaTakenUp {
        version: 1,
        idea_id: row.id,
        call_id: row.call_id,
        season_id: call.season_id,
        proposal_id: row.proposal_id?,
        age_band: row.age_band.clone(),
        taken_up_at: row.decided_at?,
    })
}

async fn save(unit: &Unit, row: &ideas::Model) -> Result<(), sea_orm::DbErr> {
    ideas::ActiveModel::from(row.clone())
        .reset_all()
        .update(&**unit)
        .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IdeaFilter {
    /// `verified` (the queue, the default), `accepted` or `declined`; unverified ideas are never
    /// shown.
    pub status: Option<String>,
    pub call_id: Option<Uuid>,
}

/// The ideas with a status (default the queue, `verified`), oldest first: administrators.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: IdeaFilter,
) -> Result<Vec<IdeaView>, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let status = match filter.status.as_deref() {
        None | Some("") => IdeaStatus::Verified,
        Some(text) => match IdeaStatus::parse(text) {
            Some(IdeaStatus::Unverified) => {
                return Err(ApiError::field(
                    "status",
                    "ideas not verified by their author are not shown",
                )
                .into());
            }
            Some(status) => status,
            None => {
                return Err(
                    ApiError::field("status", "must be verified, accepted or declined").into(),
                );
            }
        },
    };
    let mut query = ideas::Entity::find()
        .filter(ideas::Column::Status.eq(status.as_str()))
        .order_by_asc(ideas::Column::CreatedAt);
    if let Some(call) = filter.call_id {
        query = query.filter(ideas::Column::CallId.eq(call));
    }
    let rows = query.all(state.db.conn()).await?;
    Ok(rows.into_iter().map(idea_view).collect())
}

/// A verified idea, under a lock for its decision: unverified ones are not found (staff never
/// see them), decided ones answer 409.
async fn open_for_decision(unit: &Unit, id: Uuid) -> Result<ideas::Model, SchedulerError> {
    let row = find(&**unit, id).await?;
    match IdeaStatus::parse(&row.status) {
        Some(IdeaStatus::Verified) => Ok(row),
        Some(IdeaStatus::Accepted | IdeaStatus::Declined) => Err(ApiError::refused(
            "idea_decided",
            format!("the idea was already {}", row.status),
            vec![],
        )
        .into()),
        _ => Err(ApiError::NotFound("idea").into()),
    }
}

/// One idea (not an unverified one): administrators.
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> Result<IdeaView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let row = find(state.db.conn(), id).await?;
    if row.status == IdeaStatus::Unverified.as_str() {
        return Err(ApiError::NotFound("idea").into());
    }
    Ok(idea_view(row))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeaAcceptance {
    /// The weekly slot the proposal asks for (an idea comes without one).
    pub preferred_slot: WeeklySlot,
    /// The proposal's categories. Default none.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// The space it would like.
    #[serde(default)]
    pub space_id: Option<Uuid>,
}

/// What an idea became: the idea, and the proposal when accepted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IdeaDecision {
    pub idea: IdeaView,
    pub proposal: Option<ProposalView>,
}

fn local_time(v: &mut Violations, field: &str, value: &str) -> Option<NaiveTime> {
    v.take(
        field,
        NaiveTime::parse_from_str(value, "%H:%M")
            .map_err(|_| format!("`{value}` is not a time HH:MM")),
    )
}

/// Accepts a verified idea: it becomes a proposal of its call (submitted, to be accepted into
/// the season like any other), its author is told. Administrators.
pub async fn accept(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: IdeaAcceptance,
) -> Result<IdeaDecision, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let mut v = Violations::new();
    let starts = local_time(&mut v, "preferred_slot.starts", &body.preferred_slot.starts);
    let ends = local_time(&mut v, "preferred_slot.ends", &body.preferred_slot.ends);
    if let (Some(s), Some(e)) = (starts, ends) {
        v.check(e > s, "preferred_slot.ends", "must be after starts");
    }
    let mut categories = body.categories.clone();
    categories.sort();
    categories.dedup();
    v.finish()?;
    let (Some(starts), Some(ends)) = (starts, ends) else {
        return Err(ApiError::field("preferred_slot", "is required").into());
    };
    let unit = state.begin().await?;
    let mut row = open_for_decision(&unit, id).await?;
    let call = find_call(&*unit, row.call_id).await?;
    let now = piazza_shared::clock::now();
    let proposal = proposals::Model {
        id: Uuid::now_v7(),
        call_id: row.call_id,
        organisation_id: None,
        organisation_name: None,
        contact_email: row.email.clone(),
        submitted_by: claims.sub,
        title: row.title.clone(),
        description: row.description.clone(),
        categories: serde_json::to_value(&categories).unwrap_or_default(),
        age_min: None,
        age_max: None,
        capacity: None,
        weekday: body.preferred_slot.weekday.as_str().into(),
        starts_time: starts.format("%H:%M").to_string(),
        ends_time: ends.format("%H:%M").to_string(),
        sessions: None,
        space_id: body.space_id,
        status: ProposalStatus::Submitted.as_str().into(),
        decision_reason: None,
        event_ids: json!([]),
        created_at: now,
        decided_at: None,
        idea_id: Some(row.id),
    };
    proposals::Entity::insert(proposals::ActiveModel::from(proposal.clone()))
        .exec_without_returning(&*unit)
        .await?;
    row.status = IdeaStatus::Accepted.as_str().into();
    row.proposal_id = Some(proposal.id);
    row.decided_at = Some(now);
    row.decided_by = Some(claims.sub);
    save(&unit, &row).await?;
    let key = Some(row.id.to_string());
    unit.publish(
        &ProposalSubmitted {
            version: 1,
            proposal: summary(&proposal),
        },
        Some(proposal.id.to_string()),
    )
    .await?;
    if let Some(message) = taken_up(&row, &call) {
        unit.publish(&message, key.clone()).await?;
    }
    unit.publish(&decided(&row, &call, IdeaOutcome::Accepted), key)
        .await?;
    let view = idea_view(row.clone());
    unit.audit(
        claims,
        "idea.accept",
        id,
        Some(json!({ "status": "verified" })),
        audit::json(&json!({ "status": "accepted", "proposal_id": proposal.id })),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(idea_id = %id, proposal_id = %proposal.id, actor = %claims.sub, "idea taken up as a proposal");
    Ok(IdeaDecision {
        idea: view,
        proposal: Some(proposal_view(proposal)),
    })
}

fn decided(row: &ideas::Model, call: &calls::Model, outcome: IdeaOutcome) -> IdeaDecided {
    IdeaDecided {
        version: 1,
        idea_id: row.id,
        call_id: row.call_id,
        call_title: call.title.clone(),
        title: row.title.clone(),
        author: author(row),
        outcome,
        proposal_id: row.proposal_id,
        reason: row.decision_reason.clone(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeaDecline {
    /// Why: the author reads it.
    #[schema(
        max_length = 1000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub reason: String,
}

/// Declines a verified idea with a reason its author is told. Administrators.
pub async fn decline(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: IdeaDecline,
) -> Result<IdeaDecision, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let reason = input::reason(&body.reason)?;
    let unit = state.begin().await?;
    let mut row = open_for_decision(&unit, id).await?;
    let call = find_call(&*unit, row.call_id).await?;
    row.status = IdeaStatus::Declined.as_str().into();
    row.decision_reason = Some(reason);
    row.decided_at = Some(piazza_shared::clock::now());
    row.decided_by = Some(claims.sub);
    save(&unit, &row).await?;
    unit.publish(
        &decided(&row, &call, IdeaOutcome::Declined),
        Some(row.id.to_string()),
    )
    .await?;
    unit.audit(
        claims,
        "idea.decline",
        id,
        Some(json!({ "status": "verified" })),
        audit::json(&json!({ "status": "declined", "reason": row.decision_reason })),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(idea_id = %id, actor = %claims.sub, "idea declined");
    Ok(IdeaDecision {
        idea: idea_view(row),
        proposal: None,
    })
}

/// Erases the author's personal data from an idea (and from the proposal it became), on the
/// author's request: the name and address become a placeholder; the idea's text, status and age
/// band stay, for the counts. Administrators; audited without the data erased.
pub async fn erase(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<IdeaView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let mut row = find(&*unit, id).await?;
    let placeholder = format!("erased:{}", Uuid::new_v4().simple());
    row.author_name = String::new();
    row.email = placeholder.clone();
    row.informal_group = None;
    save(&unit, &row).await?;
    if let Some(proposal) = row.proposal_id
        && let Some(mut made) = proposals::Entity::find_by_id(proposal).one(&*unit).await?
    {
        made.contact_email = placeholder;
        proposals::ActiveModel::from(made)
            .reset_all()
            .update(&*unit)
            .await?;
    }
    let erased = IdeaAuthorErased {
        version: 1,
        idea_id: id,
    };
    unit.publish(&erased, Some(id.to_string())).await?;
    unit.audit(claims, "idea.erase", id, None, None).await?;
    unit.commit().await?;
    tracing::info!(idea_id = %id, actor = %claims.sub, "idea author's data erased");
    Ok(idea_view(row))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeasTaken {
    pub accepts_ideas: bool,
}

/// Whether a call takes ideas from anyone (administrators; audited).
pub async fn set_accepts(
    state: &AppState,
    caller: &Caller,
    call_id: Uuid,
    body: IdeasTaken,
) -> Result<crate::ops::calls::CallView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let mut call = find_call(&*unit, call_id).await?;
    let before = json!({ "accepts_ideas": call.accepts_ideas });
    call.accepts_ideas = body.accepts_ideas;
    calls::ActiveModel::from(call.clone())
        .reset_all()
        .update(&*unit)
        .await?;
    unit.audit(
        claims,
        "call.accepts_ideas",
        call_id,
        Some(before),
        Some(json!({ "accepts_ideas": body.accepts_ideas })),
    )
    .await?;
    unit.commit().await?;
    crate::ops::calls::get(state, call_id).await
}
