//! Accounts and organisations: created from the command line (`piazza user add`) and used to
//! log in for an API token.

use crate::db::{accounts, organisations};
use piazza_shared::{
    auth::{Claims, Role, hash_password},
    db::Db,
    email::{normalise_email, plausible_email},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

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
    anyhow::ensure!(
        password.chars().count() >= 10,
        "the password must have at least 10 characters"
    );
    match (role, organisation_name) {
        (Role::Operator, None) => anyhow::bail!("an operator needs --organisation"),
        (Role::Admin | Role::Evaluator, Some(_)) => {
            anyhow::bail!("only operators belong to an organisation")
        }
        _ => {}
    }
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
    let Some(account) = account else {
        // Spend the same time as a real check, so timing does not reveal which emails exist.
        let dummy = DUMMY_HASH
            .get_or_try_init(|| hash_password("no account has this password".into()))
            .await?;
        let _ = piazza_shared::auth::verify_password(password.to_string(), dummy.clone()).await;
        return Ok(None);
    };
    if !piazza_shared::auth::verify_password(password.to_string(), account.password_hash.clone())
        .await?
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
    }))
}
