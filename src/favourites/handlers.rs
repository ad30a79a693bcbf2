//! Starring a provider or a product, from discovery, a provider page or a catalogue row.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;

use super::queries;
use crate::accounts::forms::safe_next;
use crate::db::DbPool;
use crate::tenancy::{BuyerCtx, Permission};
use crate::web::forms::Form;
use crate::web::session::FlashKind;
use crate::web::{AppError, see_other, with_conn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StarForm {
    /// "1" to star, anything else to unstar.
    pub favourite: String,
    pub back: String,
}

impl StarForm {
    fn wanted(&self) -> bool {
        self.favourite == "1"
    }
    fn back(&self, fallback: &str) -> String {
        safe_next(&self.back).unwrap_or(fallback).to_owned()
    }
}

/// What is being starred.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Provider,
    Product,
}

async fn star(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: Uuid,
    form: StarForm,
    kind: Kind,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, wanted) = (ctx.business_id, form.wanted());
    let found = with_conn(&pool, move |conn| {
        Ok(match kind {
            Kind::Provider => queries::set_provider(conn, business, id, wanted)?,
            Kind::Product => queries::set_product(conn, business, id, wanted)?,
        })
    })
    .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    let what = match kind {
        Kind::Provider => "providers",
        Kind::Product => "products",
    };
    let message = if wanted {
        format!("Added to your favourite {what}.")
    } else {
        format!("Taken off your favourite {what}.")
    };
    ctx.user.session.flash(FlashKind::Ok, message);
    Ok(see_other(&form.back("/discover")))
}

pub async fn provider(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<StarForm>,
) -> Result<HttpResponse, AppError> {
    star(ctx, pool, id.into_inner(), form, Kind::Provider).await
}

pub async fn product(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<StarForm>,
) -> Result<HttpResponse, AppError> {
    star(ctx, pool, id.into_inner(), form, Kind::Product).await
}
