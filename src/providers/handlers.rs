//! The provider's home: their public profile.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::forms::ProfileForm;
use super::queries;
use crate::categories::CATEGORIES;
use crate::db::DbPool;
use crate::providers::model::WEEKDAYS;
use crate::tenancy::Permission;
use crate::tenancy::ProviderCtx;
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

#[derive(Template)]
#[template(path = "providers/home.html")]
struct ProviderHomePage {
    /// May edit the profile (the rest only see their links).
    manage: bool,
    meta: PageMeta,
    provider_active: bool,
    slug: String,
    form: ProfileForm,
    errors: FieldErrors,
    categories: &'static [(&'static str, &'static str)],
    weekdays: &'static [(i16, &'static str)],
}

pub async fn home(ctx: ProviderCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let id = ctx.provider_id;
    let provider = with_conn(&pool, move |conn| Ok(queries::provider(conn, id)?)).await?;
    render(&ProviderHomePage {
        manage: ctx.acting().may(Permission::ManageCatalogue),
        meta: ctx.user.meta(&provider.name),
        provider_active: ctx.provider_active,
        slug: provider.slug.clone(),
        form: ProfileForm::from_provider(&provider),
        errors: FieldErrors::new(),
        categories: CATEGORIES,
        weekdays: &WEEKDAYS,
    })
}

pub async fn update_profile(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let id = ctx.provider_id;
    let profile = match form.parse_profile() {
        Ok(p) => p,
        Err(errors) => {
            let provider = with_conn(&pool, move |conn| Ok(queries::provider(conn, id)?)).await?;
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ProviderHomePage {
                    manage: true,
                    meta: ctx.user.meta(&ctx.provider_name),
                    provider_active: ctx.provider_active,
                    slug: provider.slug,
                    form,
                    errors,
                    categories: CATEGORIES,
                    weekdays: &WEEKDAYS,
                },
            );
        }
    };
    with_conn(&pool, move |conn| {
        Ok(queries::update_profile(conn, id, &profile)?)
    })
    .await?;
    ctx.user.session.flash(FlashKind::Ok, "Profile saved.");
    Ok(see_other("/provider"))
}
