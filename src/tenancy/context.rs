//! Who is acting: extractors that load the user row on every request (so suspension and
//! "log out everywhere" take effect at the next click), narrow it to an area, and carry the
//! member's role for `require`. Anonymous → login redirect; wrong account type or a missing
//! permission → 404, like any page that isn't theirs.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::roles::{Acting, Permission, Role, Side};
use super::scope::Scope;
use crate::accounts::model::{AccountType, SessionUser};
use crate::accounts::queries;
use crate::audit::Actor;
use crate::db::DbPool;
use crate::ids::{BusinessId, ProviderId, UserId};
use crate::web::nav::{Area, ErrorNav, NavLinks, NavUser};
use crate::web::session::{AppSession, Flash, FlashKind};
use crate::web::{AppError, PageMeta};

/// A logged-in, active user whose cookie epoch matches the database.
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub account_type: AccountType,
    pub loaded: SessionUser,
    pub session: AppSession,
    /// This user, their address and the request id, for the audit log.
    pub actor: Actor,
    /// Their role needs two-step verification and it isn't set up yet: area pages send them
    /// to set it up first.
    pub mfa_due: bool,
    /// The time this request is judged at: the app's clock, read once.
    pub now: time::OffsetDateTime,
    csrf: String,
    flash: Option<Flash>,
}

impl CurrentUser {
    /// The home page of this person's area.
    pub fn account_type_home(&self) -> &'static str {
        area(self.account_type).home_path()
    }

    pub fn meta(&self, title: impl Into<String>) -> PageMeta {
        PageMeta {
            title: title.into(),
            user: Some(nav_user(&self.loaded, self.account_type)),
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
            now: Some(self.now),
            live: None,
        }
    }
}

fn area(kind: AccountType) -> Area {
    match kind {
        AccountType::Buyer => Area::Buyer,
        AccountType::Provider => Area::Provider,
        AccountType::Admin => Area::Admin,
    }
}

fn side_role(loaded: &SessionUser, kind: AccountType) -> Option<(Side, Role)> {
    let side = match kind {
        AccountType::Buyer => Side::Buyer,
        AccountType::Provider => Side::Provider,
        AccountType::Admin => return None,
    };
    Some((side, loaded.role.as_deref().and_then(Role::parse)?))
}

/// The header for this person: their name, organisation, and the links their role may use.
fn nav_user(loaded: &SessionUser, kind: AccountType) -> NavUser {
    let side = match kind {
        AccountType::Buyer => Some(Side::Buyer),
        AccountType::Provider => Some(Side::Provider),
        AccountType::Admin => None,
    };
    let role = loaded.role.as_deref().and_then(Role::parse);
    let may = |p: Permission| {
        side.zip(role)
            .is_some_and(|(side, role)| super::roles::allows(side, role, p))
    };
    NavUser {
        name: loaded.user.name.clone(),
        area: area(kind),
        cart_items: loaded.cart_items,
        unread: loaded.unread,
        org: loaded
            .business
            .as_ref()
            .or(loaded.provider.as_ref())
            .map(|o| o.name.clone()),
        links: NavLinks {
            order: may(Permission::PlaceOrders),
            invoices: may(Permission::ViewInvoices),
            catalogue: may(Permission::ManageCatalogue),
            delivery: may(Permission::ManageDelivery),
            payouts: may(Permission::ViewPayouts),
            team: may(Permission::ManageTeam),
            approve: may(Permission::ApproveOrders),
        },
    }
}

fn pool(req: &HttpRequest) -> Result<web::Data<DbPool>, AppError> {
    req.app_data::<web::Data<DbPool>>()
        .cloned()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("database pool not configured")))
}

async fn load_current(req: HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    let session = AppSession::extract(&req)
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("session: {e}")))?;
    let Some(claim) = session.claim() else {
        return Ok(None);
    };
    let pool = pool(&req)?;
    let active = session.active_membership();
    let config = req.app_data::<web::Data<crate::config::Config>>().cloned();
    let ip = config.as_ref().map(|c| crate::web::client_ip(&req, c));
    let seen = crate::accounts::sessions::Seen {
        ip: ip.clone(),
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let (user_id, epoch) = (claim.user_id, claim.epoch);
    let token = crate::accounts::tokens::hash(&claim.token);
    let (loaded, open) = crate::web::with_conn(&pool, move |conn| {
        let loaded = queries::load_session_user(conn, user_id, active)?;
        // Only a session of the user's current epoch gets (or keeps) a row.
        let open = match &loaded {
            Some(l) if l.user.session_epoch == epoch => crate::accounts::sessions::check(
                conn,
                user_id,
                epoch,
                &token,
                &seen,
                time::OffsetDateTime::now_utc(),
            )?,
            _ => true,
        };
        Ok((loaded, open))
    })
    .await?;
    let why_ended = match &loaded {
        None => Some(None),
        Some(_) if !open => Some(Some(
            "This session was ended (you logged out, or ended it from another device). Please log in again.",
        )),
        Some(l) if !l.user.is_active() => Some(Some(
            "Your account has been suspended, so you've been logged out. Contact Larder support if you think this is a mistake.",
        )),
        Some(l) if l.user.session_epoch != claim.epoch => Some(Some(
            "You've been logged out because your password or login email changed, or someone chose \"log out everywhere\". Please log in again.",
        )),
        Some(_) => None,
    };
    if let Some(why) = why_ended {
        // This cookie is finished; the login page it lands on says why.
        session.log_out();
        if let Some(why) = why {
            session.flash(FlashKind::Error, why);
        }
        return Ok(None);
    }
    let Some(loaded) = loaded else {
        return Ok(None);
    };
    let Some(account_type) = loaded.user.kind() else {
        return Ok(None);
    };
    let csrf = session.csrf_token();
    let flash = session.take_flash();
    let mfa_due = config.as_ref().is_some_and(|c| c.mfa_required)
        && !loaded.mfa_enabled
        && crate::accounts::mfa::required(account_type, side_role(&loaded, account_type));
    let actor = Actor {
        user: Some(UserId(loaded.user.id)),
        email: Some(loaded.user.email.clone()),
        ip,
        request_id: req
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string()),
    };
    // For error pages, which the middleware renders without extractors: keep the layout's
    // navigation for a logged-in person.
    req.extensions_mut().insert(ErrorNav {
        user: nav_user(&loaded, account_type),
        csrf: csrf.clone(),
    });
    let now = req
        .app_data::<web::Data<crate::clock::Clock>>()
        .map_or_else(time::OffsetDateTime::now_utc, |c| c.now());
    Ok(Some(CurrentUser {
        now,
        id: UserId(loaded.user.id),
        email: loaded.user.email.clone(),
        name: loaded.user.name.clone(),
        account_type,
        loaded,
        session,
        actor,
        mfa_due,
        csrf,
        flash,
    }))
}

/// A logged-in user narrowed to an area by `build`, which answers 404 for the wrong role.
fn extract_with<T: 'static>(
    req: &HttpRequest,
    build: fn(CurrentUser) -> Result<T, AppError>,
) -> LocalBoxFuture<'static, Result<T, AppError>> {
    let req = req.clone();
    Box::pin(async move { build(load_current(req).await?.ok_or(AppError::Unauthorized)?) })
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract_with(req, Ok)
    }
}

/// Anyone, logged in or not: what public pages need for the layout.
pub struct Viewer {
    pub user: Option<CurrentUser>,
    pub session: AppSession,
    csrf: String,
    flash: Option<Flash>,
}

impl Viewer {
    pub fn meta(&self, title: impl Into<String>) -> PageMeta {
        match &self.user {
            Some(user) => user.meta(title),
            None => PageMeta {
                title: title.into(),
                user: None,
                csrf: self.csrf.clone(),
                flash: self.flash.clone(),
                now: None,
                live: None,
            },
        }
    }
}

impl FromRequest for Viewer {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = load_current(req.clone()).await?;
            let session = AppSession::extract(&req)
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("session: {e}")))?;
            let (csrf, flash) = if user.is_some() {
                (String::new(), None)
            } else {
                (session.csrf_token(), session.take_flash())
            };
            Ok(Self {
                user,
                session,
                csrf,
                flash,
            })
        })
    }
}

/// The member's role; an unknown one is an error, never a silent default.
fn member_role(user: &CurrentUser) -> Result<Role, AppError> {
    let raw = user.loaded.role.as_deref().unwrap_or("");
    Role::parse(raw)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("unknown membership role {raw:?}")))
}

/// A buyer with their business. Every buyer query takes `business_id` from here.
pub struct BuyerCtx {
    pub user: CurrentUser,
    pub business_id: BusinessId,
    pub business_name: String,
    pub business_active: bool,
    pub role: Role,
}

impl BuyerCtx {
    /// 404 unless this member's role allows `permission` (no existence oracle).
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        super::roles::require(Side::Buyer, self.role, permission)
    }

    pub fn acting(&self) -> Acting {
        Acting {
            scope: self.scope(),
            side: Side::Buyer,
            role: self.role,
        }
    }

    pub fn scope(&self) -> Scope {
        Scope::Buyer(self.business_id)
    }

    /// The membership whose assigned addresses bound what this member may order for: an
    /// orderer's; everyone else orders for every address.
    pub fn limited_to(&self) -> Option<uuid::Uuid> {
        self.user
            .loaded
            .membership_id
            .filter(|_| self.role == Role::Orderer)
    }
}

impl FromRequest for BuyerCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract_with(req, |user| {
            let business = match (&user.account_type, &user.loaded.business) {
                (AccountType::Buyer, Some(b)) => b.clone(),
                _ => return Err(AppError::NotFound),
            };
            Ok(Self {
                business_id: BusinessId(business.id),
                business_active: business.status == "active",
                business_name: business.name,
                role: member_role(&user)?,
                user,
            })
        })
    }
}

/// A provider user with their provider. Every provider query takes `provider_id` from here.
pub struct ProviderCtx {
    pub user: CurrentUser,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub provider_active: bool,
    pub role: Role,
}

impl ProviderCtx {
    /// 404 unless this member's role allows `permission` (no existence oracle).
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        super::roles::require(Side::Provider, self.role, permission)
    }

    pub fn acting(&self) -> Acting {
        Acting {
            scope: self.scope(),
            side: Side::Provider,
            role: self.role,
        }
    }

    pub fn scope(&self) -> Scope {
        Scope::Provider(self.provider_id)
    }
}

impl FromRequest for ProviderCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract_with(req, |user| {
            let provider = match (&user.account_type, &user.loaded.provider) {
                (AccountType::Provider, Some(p)) => p.clone(),
                _ => return Err(AppError::NotFound),
            };
            if user.mfa_due {
                return Err(AppError::MfaSetupRequired);
            }
            Ok(Self {
                provider_id: ProviderId(provider.id),
                provider_active: provider.status == "active",
                provider_name: provider.name,
                role: member_role(&user)?,
                user,
            })
        })
    }
}

pub struct AdminCtx {
    pub user: CurrentUser,
}

impl FromRequest for AdminCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract_with(req, |user| {
            if user.account_type != AccountType::Admin {
                return Err(AppError::NotFound);
            }
            if user.mfa_due {
                return Err(AppError::MfaSetupRequired);
            }
            Ok(Self { user })
        })
    }
}

/// A member of a business or provider, whichever side: for pages both sides share (the
/// team). Admins and accounts without a membership get 404.
pub struct MemberCtx {
    pub user: CurrentUser,
    pub acting: Acting,
    pub membership_id: uuid::Uuid,
}

impl MemberCtx {
    /// 404 unless this member's role allows `permission` (no existence oracle).
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        super::roles::require(self.acting.side, self.acting.role, permission)
    }
}

impl FromRequest for MemberCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract_with(req, |user| {
            let (scope, side) = match (
                &user.account_type,
                &user.loaded.business,
                &user.loaded.provider,
            ) {
                (AccountType::Buyer, Some(b), _) => (Scope::Buyer(BusinessId(b.id)), Side::Buyer),
                (AccountType::Provider, _, Some(p)) => {
                    (Scope::Provider(ProviderId(p.id)), Side::Provider)
                }
                _ => return Err(AppError::NotFound),
            };
            let membership_id = user.loaded.membership_id.ok_or(AppError::NotFound)?;
            if user.mfa_due {
                return Err(AppError::MfaSetupRequired);
            }
            Ok(Self {
                acting: Acting {
                    scope,
                    side,
                    role: member_role(&user)?,
                },
                membership_id,
                user,
            })
        })
    }
}
