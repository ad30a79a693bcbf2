//! The team page (members, open invites, the invite form) and the organisation switcher.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::Connection;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::queries::{self, InviteRow, MemberRow, Org};
use super::rules;
use crate::accounts::queries as accounts;
use crate::audit::{Actor, Entry};
use crate::config::Config;
use crate::db::DbPool;
use crate::email::{self, OutgoingEmail};
use crate::tenancy::roles::may_grant;
use crate::tenancy::{CurrentUser, MemberCtx, Permission, Role, Side};
use crate::web::forms::{FieldErrors, Form, email as parse_email};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};
use serde_json::json;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "teams/team.html")]
struct TeamPage {
    meta: PageMeta,
    org_name: String,
    me: Uuid,
    members: Vec<MemberRow>,
    invites: Vec<InviteRow>,
    /// Roles this member may give: (stored value, label, what it does).
    grantable: Vec<(&'static str, &'static str, &'static str)>,
    form: InviteForm,
    errors: FieldErrors,
    /// May read the audit log (owners).
    owner: bool,
    /// The business's addresses (buyer teams), and each member's assignment.
    locations: Vec<(Uuid, String)>,
    assigned: Vec<(Uuid, Uuid)>,
}

impl TeamPage {
    fn is_assigned(&self, member: &Uuid, location: &Uuid) -> bool {
        self.assigned.contains(&(*member, *location))
    }

    fn manages(&self, m: &MemberRow) -> bool {
        self.grantable
            .iter()
            .any(|(value, _, _)| *value == m.role.as_str())
    }
}

fn org_name(ctx: &MemberCtx) -> String {
    let loaded = &ctx.user.loaded;
    loaded
        .business
        .as_ref()
        .or(loaded.provider.as_ref())
        .map(|o| o.name.clone())
        .unwrap_or_default()
}

fn grantable(ctx: &MemberCtx) -> Vec<(&'static str, &'static str, &'static str)> {
    let side = ctx.acting.side;
    Role::for_side(side)
        .iter()
        .filter(|r| may_grant(side, ctx.acting.role, **r))
        .map(|r| (r.as_str(), r.label(), r.summary(side)))
        .collect()
}

async fn page(
    ctx: &MemberCtx,
    pool: &web::Data<DbPool>,
    form: InviteForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let org = Org::of(ctx.acting.scope)?;
    let (members, invites, locations, assigned) = with_conn(pool, move |conn| {
        let members = queries::members(conn, org)?;
        let locations = match org.business {
            Some(b) => crate::businesses::queries::list_locations(conn, crate::ids::BusinessId(b))?
                .into_iter()
                .map(|l| (l.id, l.label))
                .collect(),
            None => Vec::new(),
        };
        let orderers: Vec<Uuid> = members
            .iter()
            .filter(|m| m.is_orderer())
            .map(|m| m.membership_id)
            .collect();
        let assigned = queries::assignments(conn, &orderers)?;
        Ok((
            members,
            queries::open_invites(conn, org)?,
            locations,
            assigned,
        ))
    })
    .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(
        status,
        &TeamPage {
            meta: ctx.user.meta("Team"),
            org_name: org_name(ctx),
            me: ctx.user.id.0,
            members,
            invites,
            grantable: grantable(ctx),
            form,
            errors,
            owner: ctx.acting.may(Permission::ViewAudit),
            locations,
            assigned,
        },
    )
}

pub async fn team_page(ctx: MemberCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageTeam)?;
    page(&ctx, &pool, InviteForm::default(), FieldErrors::new()).await
}

#[derive(Template)]
#[template(path = "emails/invite.txt")]
struct InviteText<'a> {
    inviter: &'a str,
    org: &'a str,
    role: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/invite.html")]
struct InviteHtml<'a> {
    inviter: &'a str,
    org: &'a str,
    role: &'a str,
    link: &'a str,
}

pub async fn invite(
    ctx: MemberCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageTeam)?;
    let mut errors = FieldErrors::new();
    let address = parse_email(&mut errors, "email", &form.email);
    let side = ctx.acting.side;
    let role = Role::parse(&form.role).filter(|r| may_grant(side, ctx.acting.role, *r));
    if role.is_none() {
        errors.add("role", "Choose one of the roles listed.");
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return page(&ctx, &pool, form, errors).await;
    };
    let org = Org::of(ctx.acting.scope)?;
    let lookup = address.clone();
    let problem = with_conn(&pool, move |conn| {
        if queries::is_member(conn, org, &lookup)? {
            return Ok(Some("They're already a member of this team."));
        }
        let other_kind = accounts::find_by_email(conn, &lookup)?.and_then(|u| {
            let theirs = match u.kind() {
                Some(crate::accounts::model::AccountType::Buyer) => Some(Side::Buyer),
                Some(crate::accounts::model::AccountType::Provider) => Some(Side::Provider),
                _ => None,
            };
            (theirs != Some(side)).then_some(())
        });
        Ok(other_kind.map(|()| {
            "That address belongs to a different kind of Larder account, so it can't join this team. Invite another address."
        }))
    })
    .await?;
    if let Some(why) = problem {
        errors.add("email", why);
        return page(&ctx, &pool, form, errors).await;
    }
    let token = crate::accounts::tokens::new_token();
    let hash = crate::accounts::tokens::hash(&token);
    let (by, inviter, org_label) = (ctx.user.id, ctx.user.name.clone(), org_name(&ctx));
    let link = format!("{}/invites/{token}", config.base_url);
    let to = address.clone();
    let actor = ctx.user.actor.clone();
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let id =
                queries::upsert_invite(conn, org, &to, role, by, &hash, OffsetDateTime::now_utc())?;
            let entry = Entry::new("invite.sent", "invite", Some(id))
                .org(org.business, org.provider)
                .change(None, Some(json!({ "email": to, "role": role.as_str() })));
            crate::audit::record(conn, &actor, entry)?;
            let message = OutgoingEmail {
                to: to.clone(),
                subject: format!("{inviter} invited you to {org_label} on Larder"),
                text: InviteText {
                    inviter: &inviter,
                    org: &org_label,
                    role: role.label(),
                    link: &link,
                }
                .render()?,
                html: InviteHtml {
                    inviter: &inviter,
                    org: &org_label,
                    role: role.label(),
                    link: &link,
                }
                .render()?,
            };
            // Each (re-)send carries a new link, so it is its own email.
            email::queue(
                conn,
                &message,
                &format!("invite:{id}:{}", hex::encode(&hash[..8])),
            )
        })
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        format!(
            "Invite sent to {address} as {}. The link works for 7 days.",
            role.label().to_lowercase()
        ),
    );
    Ok(see_other("/team"))
}

pub async fn revoke(
    ctx: MemberCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageTeam)?;
    let (org, id, acting) = (Org::of(ctx.acting.scope)?, id.into_inner(), ctx.acting);
    let actor = ctx.user.actor.clone();
    let email = with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let (email, role) = queries::lock_open_invite(conn, org, id)?;
            let allowed =
                Role::parse(&role).is_some_and(|r| may_grant(acting.side, acting.role, r));
            if !allowed {
                return Err(AppError::NotFound);
            }
            queries::revoke(conn, id, OffsetDateTime::now_utc())?;
            let entry = Entry::new("invite.revoked", "invite", Some(id))
                .org(org.business, org.provider)
                .change(Some(json!({ "email": email, "role": role })), None);
            crate::audit::record(conn, &actor, entry)?;
            Ok(email)
        })
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        format!("Invite to {email} withdrawn: its link no longer works."),
    );
    Ok(see_other("/team"))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
}

/// Checks that the acting member may move `membership` from its role to the one named
/// (`None`: remove), with the organisation's memberships locked, and makes the change. The
/// member is looked up first, so another organisation's id is a 404 whatever the form says.
fn change(
    conn: &mut diesel::PgConnection,
    acting: crate::tenancy::Acting,
    actor: &Actor,
    membership: Uuid,
    to: Option<&str>,
) -> Result<Option<Role>, AppError> {
    let org = Org::of(acting.scope)?;
    conn.transaction(|conn| {
        let (current, owners) = queries::lock_member(conn, org, membership)?;
        let to = match to {
            None => None,
            Some(raw) => Some(
                Role::parse(raw)
                    .filter(|r| Role::for_side(acting.side).contains(r))
                    .ok_or_else(|| {
                        AppError::Validation("Choose one of the roles listed.".into())
                    })?,
            ),
        };
        let may = may_grant(acting.side, acting.role, current)
            && to.is_none_or(|r| may_grant(acting.side, acting.role, r));
        if !may {
            return Err(AppError::conflict(
                "Your role can't change this member. Ask an owner.",
            ));
        }
        rules::keeps_an_owner(owners, current, to).map_err(AppError::conflict)?;
        let entry = match to {
            Some(role) => {
                queries::set_role(conn, membership, role)?;
                Entry::new("member.role_changed", "membership", Some(membership)).change(
                    Some(json!({ "role": current.as_str() })),
                    Some(json!({ "role": role.as_str() })),
                )
            }
            None => {
                queries::remove(conn, membership)?;
                Entry::new("member.removed", "membership", Some(membership))
                    .change(Some(json!({ "role": current.as_str() })), None)
            }
        };
        crate::audit::record(conn, actor, entry.org(org.business, org.provider))?;
        Ok(to)
    })
}

pub async fn change_role(
    ctx: MemberCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageTeam)?;
    let (acting, actor, id) = (ctx.acting, ctx.user.actor.clone(), id.into_inner());
    let role = with_conn(&pool, move |conn| {
        change(conn, acting, &actor, id, Some(&form.role))
    })
    .await?;
    let label = role.map_or("", Role::label).to_lowercase();
    ctx.user
        .session
        .flash(FlashKind::Ok, format!("Role changed to {label}."));
    Ok(see_other("/team"))
}

pub async fn remove(
    ctx: MemberCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageTeam)?;
    let (acting, actor, id) = (ctx.acting, ctx.user.actor.clone(), id.into_inner());
    with_conn(&pool, move |conn| change(conn, acting, &actor, id, None)).await?;
    if id == ctx.membership_id {
        ctx.user
            .session
            .flash(FlashKind::Ok, "You've left the team.");
        return Ok(see_other("/organisations"));
    }
    ctx.user.session.flash(
        FlashKind::Ok,
        "Member removed. They lose access at their next click.",
    );
    Ok(see_other("/team"))
}

#[derive(Template)]
#[template(path = "teams/organisations.html")]
struct OrganisationsPage {
    meta: PageMeta,
    current: Option<Uuid>,
    orgs: Vec<(Uuid, String, Side)>,
}

pub async fn organisations(
    user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    let id = user.id;
    let orgs = with_conn(&pool, move |conn| Ok(queries::organisations_of(conn, id)?)).await?;
    render(&OrganisationsPage {
        meta: user.meta("Your organisations"),
        current: user.loaded.membership_id,
        orgs,
    })
}

/// Acts for another of the user's organisations from the next request on.
pub async fn switch(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (me, id) = (user.id, id.into_inner());
    let orgs = with_conn(&pool, move |conn| Ok(queries::organisations_of(conn, me)?)).await?;
    let (_, name, _) = orgs
        .into_iter()
        .find(|(m, _, _)| *m == id)
        .ok_or(AppError::NotFound)?;
    user.session.set_active_membership(id);
    user.session
        .flash(FlashKind::Ok, format!("You're now working for {name}."));
    Ok(see_other(user.account_type_home()))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LimitsForm {
    pub order_limit: String,
    pub monthly_limit: String,
    /// The addresses the orderer may order for (none ticked: all).
    #[serde(default)]
    pub location: Vec<String>,
}

/// An orderer's spending limits: orders over either wait for approval.
pub async fn set_limits(
    ctx: MemberCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<LimitsForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageTeam)?;
    let (acting, actor, id) = (ctx.acting, ctx.user.actor.clone(), id.into_inner());
    let org = Org::of(acting.scope)?;
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let (role, _) = queries::lock_member(conn, org, id)?;
            if !may_grant(acting.side, acting.role, role) {
                return Err(AppError::conflict(
                    "Your role can't change this member. Ask an owner.",
                ));
            }
            if role != Role::Orderer {
                return Err(AppError::conflict("Only orderers have spending limits."));
            }
            let parse = |raw: &str, what: &str| {
                rules::limit(raw).map_err(|why| AppError::Validation(format!("{what}: {why}")))
            };
            let order_limit = parse(&form.order_limit, "Per-order limit")?;
            let monthly_limit = parse(&form.monthly_limit, "Monthly limit")?;
            queries::set_limits(conn, id, order_limit, monthly_limit)?;
            let locations: Vec<Uuid> = form
                .location
                .iter()
                .filter_map(|l| Uuid::parse_str(l).ok())
                .collect();
            queries::set_assigned_locations(conn, org, id, &locations)?;
            let shown = |l: Option<rust_decimal::Decimal>| l.map(|v| v.to_string());
            let entry = Entry::new("member.limits_changed", "membership", Some(id))
                .org(org.business, org.provider)
                .change(
                    None,
                    Some(json!({
                        "order_limit": shown(order_limit),
                        "monthly_limit": shown(monthly_limit),
                        "locations": form.location,
                    })),
                );
            crate::audit::record(conn, &actor, entry)?;
            Ok(())
        })
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Spending limits saved.");
    Ok(see_other("/team"))
}
