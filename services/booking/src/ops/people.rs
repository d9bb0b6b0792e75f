//! Accounts and organisations as an administrator runs them from the pages: the list with each
//! account's state, invitations by email (a signed link to set a password), a password reset
//! (a new link; the old password and every session end), disabling and enabling, and
//! organisations. The link is signed here, where accounts live, and sent by the notifier from a
//! `piazza.account.password_link_issued` message written in the same unit as the change.
//!
//! A link names the account and its session version: setting the password raises the version,
//! so a link is spent once used, and a newer link (a second reset) outdates the older ones.

use super::accounts::{self, Change, NO_PASSWORD, check_organisation, check_password, end};
use crate::{
    db::{accounts as account_rows, organisations},
    error::BookingError,
    state::AppState,
};
use chrono::{DateTime, Duration, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Claims, Role},
    contracts::{
        Category, Language,
        account::{PasswordLinkIssued, PasswordLinkReason, SessionsEnded, SessionsEndedReason},
    },
    email::{normalise_email, plausible_email},
    http::{ApiError, Violations},
    unit::Unit,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The purpose the links' tokens are signed for.
pub const LINK_PURPOSE: &str = "account.password";
/// How long a link to set a password works.
pub const LINK_DAYS: i64 = 7;

/// The field messages the pages put in words (`field`, message).
pub const NOT_AN_EMAIL: &str = "is not an email address";
pub const EMAIL_TAKEN: &str = "an account for this address exists";
pub const NEEDS_ORGANISATION: &str = "an operator belongs to an organisation";
pub const NO_ORGANISATION: &str = "only operators belong to an organisation";
pub const PASSWORD_SHORT: &str = "must have at least 10 characters";
pub const NAME_TAKEN: &str = "an organisation has this name";
pub const NOT_YOURSELF: &str = "you cannot disable your own account";

/// Whom a link is for: the account and the session version it was issued under.
#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    a: Uuid,
    v: i64,
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Invited or reset: no password yet.
    Invited,
    Active,
    Disabled,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub organisation: Option<String>,
    pub state: AccountState,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: Uuid,
    pub name: String,
    /// The fields it works in (category codes): its operators are emailed when a call for ideas
    /// opens in one of them.
    pub fields: Vec<Category>,
    /// Its operators' accounts.
    pub accounts: usize,
}

/// An organisation to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    #[schema(max_length = 200, pattern = "\\S")]
    pub name: String,
    /// The fields it works in (category codes).
    #[serde(default)]
    pub fields: Vec<Category>,
}

/// A change to an organisation; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    /// The fields it works in (category codes), all of them.
    #[serde(default)]
    pub fields: Option<Vec<Category>>,
}

/// Someone to invite.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    /// The organisation's name (operators only).
    pub organisation: Option<String>,
    /// The language the email is written in.
    pub language: Language,
}

/// Every account, by email, with its organisation's name (administrators).
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<AccountView>, BookingError> {
    caller.require(&[Role::Admin])?;
    let names = organisation_names(state).await?;
    let rows = account_rows::Entity::find()
        .order_by_asc(account_rows::Column::Email)
        .all(state.db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| AccountView {
            id: a.id,
            email: a.email,
            role: Role::parse(&a.role).unwrap_or(Role::Evaluator),
            organisation: a.organisation_id.and_then(|id| names.get(&id).cloned()),
            state: if a.disabled_at.is_some() {
                AccountState::Disabled
            } else if a.password_hash == NO_PASSWORD {
                AccountState::Invited
            } else {
                AccountState::Active
            },
            created_at: a.created_at,
        })
        .collect())
}

async fn organisation_names(state: &AppState) -> Result<HashMap<Uuid, String>, BookingError> {
    Ok(organisations::Entity::find()
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Every organisation, by name, with how many accounts act for it (administrators).
pub async fn organisations(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<OrganisationView>, BookingError> {
    caller.require(&[Role::Admin])?;
    let accounts = account_rows::Entity::find().all(state.db.conn()).await?;
    let rows = organisations::Entity::find()
        .order_by_asc(organisations::Column::Name)
        .all(state.db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|o| {
            let accounts = accounts
                .iter()
                .filter(|a| a.organisation_id == Some(o.id))
                .count();
            organisation_view(o, accounts)
        })
        .collect())
}

fn organisation_view(o: organisations::Model, accounts: usize) -> OrganisationView {
    OrganisationView {
        fields: o.fields(),
        id: o.id,
        name: o.name,
        accounts,
    }
}

/// `fields` sorted, each once.
fn field_set(fields: &[Category]) -> Vec<Category> {
    let mut fields = fields.to_vec();
    fields.sort();
    fields.dedup();
    fields
}

/// Adds an organisation (administrators); its name must be new.
pub async fn add_organisation(
    state: &AppState,
    caller: &Caller,
    new: NewOrganisation,
) -> Result<OrganisationView, BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let name = new.name.trim();
    let mut v = Violations::new();
    v.check(!name.is_empty(), "name", "must not be empty");
    v.check(
        name.chars().count() <= 200,
        "name",
        "must be at most 200 characters",
    );
    v.finish()?;
    let fields = field_set(&new.fields);
    let unit = state.begin().await?;
    let exists = organisations::Entity::find()
        .filter(organisations::Column::Name.eq(name))
        .one(&*unit)
        .await?;
    if exists.is_some() {
        return Err(ApiError::field("name", NAME_TAKEN).into());
    }
    let mut active = organisations::ActiveModel::from(accounts::organisation(&*unit, name).await?);
    active.fields = Set(organisations::stored(&fields));
    let model = active.update(&*unit).await?;
    let after = serde_json::json!({ "name": model.name, "fields": fields });
    unit.audit(&claims, "organisation.create", model.id, None, Some(after))
        .await?;
    unit.commit().await?;
    Ok(organisation_view(model, 0))
}

/// Changes an organisation (administrators): the fields it works in.
pub async fn update_organisation(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    patch: OrganisationPatch,
) -> Result<OrganisationView, BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let unit = state.begin().await?;
    let Some(found) = organisations::Entity::find_by_id(id).one(&*unit).await? else {
        return Err(ApiError::NotFound("organisation").into());
    };
    let before = serde_json::json!({ "fields": found.fields() });
    let fields = field_set(patch.fields.as_deref().unwrap_or(&found.fields()));
    let mut active = organisations::ActiveModel::from(found);
    active.fields = Set(organisations::stored(&fields));
    let model = active.update(&*unit).await?;
    let after = serde_json::json!({ "fields": model.fields() });
    unit.audit(
        &claims,
        "organisation.update",
        id,
        Some(before),
        Some(after),
    )
    .await?;
    let accounts = account_rows::Entity::find()
        .filter(account_rows::Column::OrganisationId.eq(id))
        .all(&*unit)
        .await?
        .len();
    unit.commit().await?;
    Ok(organisation_view(model, accounts))
}

/// Creates an account without a password and emails it a link to set one (administrators).
pub async fn invite(
    state: &AppState,
    caller: &Caller,
    invitation: Invitation,
) -> Result<AccountView, BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let email = normalise_email(&invitation.email);
    let organisation = invitation
        .organisation
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let mut v = Violations::new();
    v.check(plausible_email(&email), "email", NOT_AN_EMAIL);
    if check_organisation(invitation.role, organisation).is_err() {
        let message = if invitation.role == Role::Operator {
            NEEDS_ORGANISATION
        } else {
            NO_ORGANISATION
        };
        v.add("organisation", message);
    }
    v.finish()?;
    let unit = state.begin().await?;
    let taken = account_rows::Entity::find()
        .filter(account_rows::Column::Email.eq(email.as_str()))
        .one(&*unit)
        .await?;
    if taken.is_some() {
        return Err(ApiError::field("email", EMAIL_TAKEN).into());
    }
    let organisation_id = match organisation {
        Some(name) => Some(accounts::organisation(&*unit, name).await?.id),
        None => None,
    };
    let model = account_rows::Model {
        id: Uuid::now_v7(),
        email: email.clone(),
        password_hash: NO_PASSWORD.to_string(),
        role: invitation.role.as_str().to_string(),
        organisation_id,
        created_at: piazza_shared::clock::now(),
        session_version: 0,
        disabled_at: None,
    };
    account_rows::Entity::insert(account_rows::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let organisation = organisation.map(str::to_string);
    send_link(
        state,
        &unit,
        &model,
        PasswordLinkReason::Invitation,
        invitation.language,
        organisation.clone(),
    )
    .await?;
    let after =
        serde_json::json!({ "email": email, "role": model.role, "organisation": organisation });
    unit.audit(&claims, "account.invite", model.id, None, Some(after))
        .await?;
    unit.commit().await?;
    tracing::info!(account = %model.id, actor = %claims.sub, "account invited");
    Ok(AccountView {
        id: model.id,
        email,
        role: invitation.role,
        organisation,
        state: AccountState::Invited,
        created_at: model.created_at,
    })
}

/// Signs a link for `account` as it is now and writes the message the notifier emails it from.
async fn send_link(
    state: &AppState,
    unit: &Unit,
    account: &account_rows::Model,
    reason: PasswordLinkReason,
    language: Language,
    organisation: Option<String>,
) -> Result<(), BookingError> {
    let expires_at = piazza_shared::clock::now() + Duration::days(LINK_DAYS);
    let claims = LinkClaims {
        a: account.id,
        v: account.session_version,
    };
    let token = state.keys.sign(LINK_PURPOSE, &claims, expires_at);
    let mut link = state.settings.public_url();
    link.set_path("/account/password");
    link.query_pairs_mut().clear().append_pair("token", &token);
    let message = PasswordLinkIssued {
        version: 1,
        account_id: account.id,
        email: account.email.clone(),
        reason,
        link: link.to_string(),
        expires_at,
        language,
        organisation,
    };
    unit.publish(&message, None).await?;
    Ok(())
}

async fn account(state: &AppState, id: Uuid) -> Result<account_rows::Model, BookingError> {
    Ok(account_rows::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::NotFound("account"))?)
}

/// Takes the account's password away, ends every session it has and emails it a link to set a
/// new one (administrators).
pub async fn reset(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    language: Language,
) -> Result<(), BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let unit = state.begin().await?;
    let Some(found) = account_rows::Entity::find_by_id(id).one(&*unit).await? else {
        return Err(ApiError::NotFound("account").into());
    };
    let version = found.session_version.saturating_add(1);
    let mut active = account_rows::ActiveModel::from(found.clone());
    active.session_version = Set(version);
    active.password_hash = Set(NO_PASSWORD.to_string());
    let updated = active.update(&*unit).await?;
    let ended = SessionsEnded {
        version: 1,
        account_id: id,
        session_version: u32::try_from(version).unwrap_or(u32::MAX),
        session_id: None,
        session_expires_at: None,
        reason: SessionsEndedReason::PasswordChanged,
    };
    end(&unit, &ended).await?;
    send_link(
        state,
        &unit,
        &updated,
        PasswordLinkReason::Reset,
        language,
        None,
    )
    .await?;
    unit.audit(&claims, "account.reset", id, None, audit::json(&ended))
        .await?;
    unit.commit().await?;
    state.keys.revocations().apply(&ended);
    Ok(())
}

/// Stops the account logging in and ends every session it has (administrators; not their own).
pub async fn disable(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    if claims.sub == id {
        return Err(ApiError::field("account", NOT_YOURSELF).into());
    }
    let found = account(state, id).await?;
    let ended = accounts::change_by(
        &state.db,
        &state.outbox,
        &found.email,
        Change::Disable,
        Some(&claims),
    )
    .await?;
    state.keys.revocations().apply(&ended);
    tracing::info!(account = %id, actor = %claims.sub, "account disabled");
    Ok(())
}

/// Lets a disabled account log in again (administrators).
pub async fn enable(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let unit = state.begin().await?;
    let Some(found) = account_rows::Entity::find_by_id(id).one(&*unit).await? else {
        return Err(ApiError::NotFound("account").into());
    };
    let mut active = account_rows::ActiveModel::from(found);
    active.disabled_at = Set(None);
    active.update(&*unit).await?;
    unit.audit(&claims, "account.enable", id, None, None)
        .await?;
    unit.commit().await?;
    tracing::info!(account = %id, actor = %claims.sub, "account enabled");
    Ok(())
}

/// Why a link to set a password does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    /// Not one of ours, or changed.
    Invalid,
    Expired,
    /// Used already, or outdated by a newer link or another change to the account.
    Spent,
    /// The account is disabled.
    Disabled,
}

/// The account a link is for, if it still opens.
pub async fn open_link(
    state: &AppState,
    token: &str,
) -> Result<Result<account_rows::Model, LinkRefused>, BookingError> {
    let claims: LinkClaims =
        match state
            .keys
            .verify(LINK_PURPOSE, token, piazza_shared::clock::now())
        {
            Ok(claims) => claims,
            Err(piazza_shared::auth::TokenError::Expired) => return Ok(Err(LinkRefused::Expired)),
            Err(_) => return Ok(Err(LinkRefused::Invalid)),
        };
    let Some(found) = account_rows::Entity::find_by_id(claims.a)
        .one(state.db.conn())
        .await?
    else {
        return Ok(Err(LinkRefused::Invalid));
    };
    // Disabling raises the session version too: say the reason that matters.
    Ok(if found.disabled_at.is_some() {
        Err(LinkRefused::Disabled)
    } else if found.session_version != claims.v {
        Err(LinkRefused::Spent)
    } else {
        Ok(found)
    })
}

/// Sets the password of the link's account (which spends the link) and signs it in: the claims
/// of its first session.
pub async fn set_password(
    state: &AppState,
    token: &str,
    password: &str,
) -> Result<Result<Claims, LinkRefused>, BookingError> {
    let found = match open_link(state, token).await? {
        Ok(found) => found,
        Err(refused) => return Ok(Err(refused)),
    };
    if check_password(password).is_err() || password.len() > 1024 {
        return Err(ApiError::field("password", PASSWORD_SHORT).into());
    }
    let ended = accounts::change(
        &state.db,
        &state.outbox,
        &found.email,
        Change::Password(password.to_string()),
    )
    .await?;
    state.keys.revocations().apply(&ended);
    let claims = accounts::authenticate(&state.db, &found.email, password).await?;
    Ok(claims.ok_or(LinkRefused::Spent))
}
