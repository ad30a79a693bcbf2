//! Posting to a request's conversation and reading its photos, for each side.

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as UploadBytes;
use actix_multipart::form::text::Text;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use uuid::Uuid;

use super::thread::{self, Post, Side};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::CreditRequestId;
use crate::tenancy::{AdminCtx, BuyerCtx, CurrentUser, Permission, ProviderCtx, Scope};
use crate::web::session::FlashKind;
use crate::web::{AppError, see_other, with_conn};

#[derive(MultipartForm)]
pub struct MessageForm {
    #[multipart(limit = "64KiB")]
    body: Option<Text<String>>,
    #[multipart(limit = "1KiB")]
    key: Option<Text<String>>,
    #[multipart(limit = "5MiB")]
    photo: Option<UploadBytes>,
}

/// Reads the multipart form once the asker is known to be allowed (a refused role gets its
/// 404 whatever it sent).
async fn read(req: &HttpRequest, payload: web::Payload) -> Result<MessageForm, AppError> {
    let mut payload = payload.into_inner();
    MultipartForm::<MessageForm>::from_request(req, &mut payload)
        .await
        .map(|f| f.into_inner())
        .map_err(|e| AppError::BadRequest(format!("The message could not be read: {e}")))
}

/// A refused message: what to say beside the form, the text and key as sent.
pub struct Refused {
    pub error: String,
    pub typed: String,
    pub key: String,
}

/// Checks and posts the message; `Err(Ok(refused))` is for the same page again.
async fn post(
    (pool, config): (&web::Data<DbPool>, &Config),
    user: &CurrentUser,
    (side, scope): (Side, Scope),
    id: CreditRequestId,
    form: MessageForm,
) -> Result<Result<(), Refused>, AppError> {
    let body = form.body.map(|t| t.into_inner()).unwrap_or_default();
    let key = form.key.map(|t| t.into_inner()).unwrap_or_default();
    let bytes = form.photo.map(|p| p.data).filter(|b| !b.is_empty());
    let (text, kind) = match thread::check(&body, bytes.as_deref()) {
        Ok(checked) => checked,
        Err(error) => {
            return Ok(Err(Refused {
                error,
                typed: body,
                key,
            }));
        }
    };
    let key = Uuid::parse_str(key.trim()).map_err(|_| {
        AppError::BadRequest("This form is out of date. Reload the page and try again.".into())
    })?;
    let (user_id, actor, now) = (user.id, user.actor.clone(), user.now);
    let (dir, base) = (config.upload_dir.clone(), config.base_url.clone());
    with_conn(pool, move |conn| {
        let message = Post {
            body: &text,
            photo: bytes.as_deref().zip(kind),
            key,
            notify: true,
        };
        thread::post(
            conn,
            (side, scope),
            id,
            &message,
            (user_id, &actor, now),
            (&dir, &base),
        )
    })
    .await?;
    user.session.flash(FlashKind::Ok, "Message posted.");
    Ok(Ok(()))
}

pub async fn buyer_post(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
    (req, payload): (HttpRequest, web::Payload),
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ReceiveDeliveries)?;
    let form = read(&req, payload).await?;
    let (id, scope) = (id.into_inner(), Scope::Buyer(ctx.business_id));
    match post((&pool, &config), &ctx.user, (Side::Buyer, scope), id, form).await? {
        Ok(()) => Ok(see_other(&format!("/credit-requests/{id}#thread"))),
        Err(refused) => super::handlers::buyer_page(&ctx, &pool, id, Some(refused)).await,
    }
}

pub async fn provider_post(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
    (req, payload): (HttpRequest, web::Payload),
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::AnswerCredits)?;
    let form = read(&req, payload).await?;
    let (id, scope) = (id.into_inner(), Scope::Provider(ctx.provider_id));
    match post(
        (&pool, &config),
        &ctx.user,
        (Side::Provider, scope),
        id,
        form,
    )
    .await?
    {
        Ok(()) => Ok(see_other(&format!("/provider/credit-requests/{id}#thread"))),
        Err(refused) => super::provider::page(&ctx, &pool, id, None, Some(refused)).await,
    }
}

pub async fn admin_post(
    admin: AdminCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
    (req, payload): (HttpRequest, web::Payload),
) -> Result<HttpResponse, AppError> {
    let form = read(&req, payload).await?;
    let id = id.into_inner();
    match post(
        (&pool, &config),
        &admin.user,
        (Side::Admin, Scope::Admin),
        id,
        form,
    )
    .await?
    {
        Ok(()) => Ok(see_other(&format!("/admin/disputes/{id}#thread"))),
        Err(refused) => super::admin::page(&admin, &pool, id, None, Some(refused)).await,
    }
}

/// Serves a photo to whoever may see its request: never cached, never sniffed as anything
/// but the image type its bytes were checked to be.
async fn serve(
    pool: &web::Data<DbPool>,
    config: &Config,
    scope: Scope,
    (id, photo): (CreditRequestId, Uuid),
) -> Result<HttpResponse, AppError> {
    let kind = with_conn(pool, move |conn| thread::photo(conn, scope, id, photo)).await?;
    let path = thread::photo_path(&config.upload_dir, photo);
    let bytes = web::block(move || std::fs::read(path))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| {
            tracing::error!(error = %e, %photo, "a stored photo can't be read");
            AppError::NotFound
        })?;
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header(("Content-Disposition", "inline"))
        .body(bytes))
}

pub async fn buyer_photo(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    path: web::Path<(CreditRequestId, Uuid)>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    serve(
        &pool,
        &config,
        Scope::Buyer(ctx.business_id),
        path.into_inner(),
    )
    .await
}

pub async fn provider_photo(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    path: web::Path<(CreditRequestId, Uuid)>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    serve(
        &pool,
        &config,
        Scope::Provider(ctx.provider_id),
        path.into_inner(),
    )
    .await
}

pub async fn admin_photo(
    _admin: AdminCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    path: web::Path<(CreditRequestId, Uuid)>,
) -> Result<HttpResponse, AppError> {
    serve(&pool, &config, Scope::Admin, path.into_inner()).await
}
