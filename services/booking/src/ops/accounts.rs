//! Accounts and organisations: created and changed from the command line (`piazza user …`) and
//! used to log in for an API token. A change that must end the account's sessions (password,
//! role or organisation, disabling) raises its session version in the same transaction that
//! records the ending and writes `piazza.account.sessions_ended` to the outbox for the other
//! services; a logout ends one session the same way.

use crate::db::{accounts, organisations, sectors};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Claims, Role, hash_password, sessions},
    bus::outbox::Outbox,
    contracts::account::{SessionsEnded, SessionsEndedReason},
    db::Db,
    email::{normalise_email, plausible_email},
    unit::Unit,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

pub(crate) use crate::db::accounts::NO_PASSWORD;

/// A hash checked against when the account does not exist.
static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// Finds or creates the organisation called `name`.
pub async fn organisation(
    conn: &impl ConnectionTrait,
    name: &str,
) -> anyhow::Result<organisations::Model> {
    let name = name.trim();
    if let Some(existing) = organisations::Entity::find()
        .filter(organisations::Column::Name.eq(name))
        .one(conn)
        .await?
    {
        return Ok(existing);
    }
    let model = organisations::Model {
        id: Uuid::now_v7(),
        name: name.to_string(),
        created_at: piazza_shared::clock::now(),
        fields: organisations::stored(&[]),
    };
    organisations::Entity::insert(organisations::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(model)
}

/// Creates an account. Operators must name their organisation; others must not.
pub async fn create(
    db: &Db,
    email: &str,
    role: Role,
    organisation_name: Option<&str>,
    password: String,
) -> anyhow::Result<accounts::Model> {
    let email = normalise_email(email);
    anyhow::ensure!(plausible_email(&email), "`{email}` is not an email address");
    check_password(&password)?;
    check_organisation(role, organisation_name)?;
    let hash = hash_password(password).await?;
    let txn = db.begin().await?;
    if accounts::Entity::find()
        .filter(accounts::Column::Email.eq(email.as_str()))
        .one(&*txn)
        .await?
        .is_some()
    {
        anyhow::bail!("an account for {email} already exists");
    }
    let organisation_id = match organisation_name {
        Some(name) => Some(organisation(&*txn, name).await?.id),
        None => None,
    };
    let model = accounts::Model {
        id: Uuid::now_v7(),
        email,
        password_hash: hash,
        role: role.as_str().to_string(),
        organisation_id,
        created_at: piazza_shared::clock::now(),
        session_version: 0,
        disabled_at: None,
    };
    accounts::Entity::insert(accounts::ActiveModel::from(model.clone()))
        .exec_without_returning(&*txn)
        .await?;
    txn.commit().await?;
    Ok(model)
}

/// The claims of the account with these credentials, or `None` when they do not match.
pub async fn authenticate(db: &Db, email: &str, password: &str) -> anyhow::Result<Option<Claims>> {
    let email = normalise_email(email);
    let account = accounts::Entity::find()
        .filter(accounts::Column::Email.eq(email.as_str()))
        .one(db.conn())
        .await?;
    // An account invited or reset has no password until one is set through the emailed link.
    let Some(account) = account.filter(|a| a.password_hash != NO_PASSWORD) else {
        // Spend the same time as a real check, so timing does not reveal which emails exist.
        let dummy = DUMMY_HASH
            .get_or_try_init(|| hash_password("no account has this password".into()))
            .await?;
        let _ = piazza_shared::auth::verify_password(password.to_string(), dummy.clone()).await;
        return Ok(None);
    };
    if !piazza_shared::auth::verify_password(password.to_string(), account.password_hash.clone())
        .await?
        || account.disabled_at.is_some()
    {
        return Ok(None);
    }
    let Some(role) = Role::parse(&account.role) else {
        anyhow::bail!(
            "account {} has an unknown role {}",
            account.id,
            account.role
        );
    };
    let org_name = match account.organisation_id {
        Some(id) => organisations::Entity::find_by_id(id)
            .one(db.conn())
            .await?
            .map(|o| o.name),
        None => None,
    };
    Ok(Some(Claims {
        sub: account.id,
        email: account.email,
        role,
        org: account.organisation_id,
        org_name,
        sid: Some(Uuid::new_v4()),
        sv: u32::try_from(account.session_version).unwrap_or(u32::MAX),
        // The sign-off queues and referrals are routed by these.
        sectors: sectors::of_account(db.conn(), account.id).await?,
    }))
}

pub(crate) fn check_password(password: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        password.chars().count() >= 10,
        "the password must have at least 10 characters"
    );
    Ok(())
}

pub(crate) fn check_organisation(
    role: Role,
    organisation_name: Option<&str>,
) -> anyhow::Result<()> {
    match (role, organisation_name) {
        (Role::Operator, None) => anyhow::bail!("an operator needs --organisation"),
        (Role::Admin | Role::Evaluator, Some(_)) => {
            anyhow::bail!("only operators belong to an organisation")
        }
        _ => Ok(()),
    }
}

/// Records `ended` in booking's own tables and its outbox, inside the change's unit.
pub(crate) async fn end(unit: &Unit, ended: &SessionsEnded) -> anyhow::Result<()> {
    sessions::record(&**unit, ended).await?;
    unit.publish(ended, None).await?;
    tracing::info!(account = %ended.account_id, reason = ?ended.reason, "sessions ended");
    Ok(())
}

/// Ends the session `claims` belong to (a logout); its token would expire at `expires_at`.
/// Returns the message, for the caller to apply to its own process at once after the commit.
pub async fn log_out(
    db: &Db,
    outbox: &Outbox,
    claims: &Claims,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<Option<SessionsEnded>> {
    let Some(sid) = claims.sid else {
        return Ok(None);
    };
    let ended = SessionsEnded {
        version: 1,
        account_id: claims.sub,
        session_version: claims.sv,
        session_id: Some(sid),
        session_expires_at: Some(expires_at),
        reason: SessionsEndedReason::Logout,
    };
    let unit = Unit::begin(db, outbox).await?;
    end(&unit, &ended).await?;
    unit.commit().await?;
    Ok(Some(ended))
}

/// A change to an account, each of which ends its sessions.
#[derive(Debug, Clone)]
pub enum Change {
    Password(String),
    /// A new role, and the organisation an operator belongs to.
    Role(Role, Option<String>),
    Disable,
}

/// Applies `change` to the account of `email`, raising its session version so that every token
/// it holds is refused. Returns the message, for the caller to apply to its own process.
pub async fn change(
    db: &Db,
    outbox: &Outbox,
    email: &str,
    change: Change,
) -> anyhow::Result<SessionsEnded> {
    change_by(db, outbox, email, change, None).await
}

/// [`change`], made by `actor` (an administrator on the pages), which the audit log records in
/// the same transaction; the command line's changes are the operator's own and not audited.
pub async fn change_by(
    db: &Db,
    outbox: &Outbox,
    email: &str,
    change: Change,
    actor: Option<&Claims>,
) -> anyhow::Result<SessionsEnded> {
    let email = normalise_email(email);
    let hash = match &change {
        Change::Password(password) => {
            check_password(password)?;
            Some(hash_password(password.clone()).await?)
        }
        Change::Role(role, organisation) => {
            check_organisation(*role, organisation.as_deref())?;
            None
        }
        Change::Disable => None,
    };
    let unit = Unit::begin(db, outbox).await?;
    let Some(account) = accounts::Entity::find()
        .filter(accounts::Column::Email.eq(email.as_str()))
        .one(&*unit)
        .await?
    else {
        anyhow::bail!("no account for {email}");
    };
    let version = account.session_version.saturating_add(1);
    let id = account.id;
    let mut active = accounts::ActiveModel::from(account);
    active.session_version = Set(version);
    let reason = match change {
        Change::Password(_) => {
            active.password_hash = Set(hash.unwrap_or_default());
            SessionsEndedReason::PasswordChanged
        }
        Change::Role(role, organisation) => {
            let organisation_id = match organisation {
                Some(name) => Some(self::organisation(&*unit, &name).await?.id),
                None => None,
            };
            active.role = Set(role.as_str().to_string());
            active.organisation_id = Set(organisation_id);
            SessionsEndedReason::RoleChanged
        }
        Change::Disable => {
            active.disabled_at = Set(Some(piazza_shared::clock::now()));
            SessionsEndedReason::Disabled
        }
    };
    active.update(&*unit).await?;
    let ended = SessionsEnded {
        version: 1,
        account_id: id,
        session_version: u32::try_from(version).unwrap_or(u32::MAX),
        session_id: None,
        session_expires_at: None,
        reason,
    };
    end(&unit, &ended).await?;
    if let Some(actor) = actor {
        let action = match ended.reason {
            SessionsEndedReason::Disabled => "account.disable",
            SessionsEndedReason::RoleChanged => "account.role",
            _ => "account.password",
        };
        let after = serde_json::json!({ "reason": ended.reason });
        unit.audit(actor, action, id, None, Some(after)).await?;
    }
    unit.commit().await?;
    Ok(ended)
}

/// Lets a disabled account log in again (its old sessions stay ended).
pub async fn enable(db: &Db, email: &str) -> anyhow::Result<()> {
    let email = normalise_email(email);
    let Some(account) = accounts::Entity::find()
        .filter(accounts::Column::Email.eq(email.as_str()))
        .one(db.conn())
        .await?
    else {
        anyhow::bail!("no account for {email}");
    };
    let mut active = accounts::ActiveModel::from(account);
    active.disabled_at = Set(None);
    active.update(db.conn()).await?;
    Ok(())
}
