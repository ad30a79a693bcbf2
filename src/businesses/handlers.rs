//! The buyer's home: their business details and delivery locations.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::forms::{LocationForm, vat_number};
use super::model::{Business, Location};
use super::queries;
use crate::db::DbPool;
use crate::ids::LocationId;
use crate::tenancy::BuyerCtx;
use crate::tenancy::Permission;
use crate::web::forms::{FieldErrors, Form, required};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BusinessForm {
    pub business_name: String,
    pub vat_number: String,
}

#[derive(Template)]
#[template(path = "businesses/home.html")]
struct BuyerHomePage {
    /// May change addresses and business details (the rest only see their links).
    manage: bool,
    meta: PageMeta,
    business_active: bool,
    form: BusinessForm,
    errors: FieldErrors,
    locations: Vec<Location>,
}

#[derive(Template)]
#[template(path = "businesses/location_form.html")]
struct LocationPage {
    meta: PageMeta,
    /// `None` for a new location.
    location_id: Option<Uuid>,
    form: LocationForm,
    errors: FieldErrors,
}

impl LocationPage {
    fn action(&self) -> String {
        match self.location_id {
            Some(id) => format!("/buyer/locations/{id}"),
            None => "/buyer/locations".into(),
        }
    }
}

fn business_form(b: &Business) -> BusinessForm {
    BusinessForm {
        business_name: b.name.clone(),
        vat_number: b.vat_number.clone().unwrap_or_default(),
    }
}

pub async fn home(ctx: BuyerCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let business_id = ctx.business_id;
    let (business, locations) = with_conn(&pool, move |conn| {
        Ok((
            queries::business(conn, business_id)?,
            queries::list_locations(conn, business_id)?,
        ))
    })
    .await?;
    render(&BuyerHomePage {
        manage: ctx.acting().may(Permission::ManageLocations),
        meta: ctx.user.meta(&business.name),
        business_active: ctx.business_active,
        form: business_form(&business),
        errors: FieldErrors::new(),
        locations,
    })
}

pub async fn update_business(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<BusinessForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageLocations)?;
    let mut errors = FieldErrors::new();
    let name = required(
        &mut errors,
        "business_name",
        "your business's name",
        &form.business_name,
        120,
    );
    let vat = vat_number(&mut errors, "vat_number", &form.vat_number);
    let business_id = ctx.business_id;
    if !errors.is_empty() {
        let locations = with_conn(&pool, move |conn| {
            Ok(queries::list_locations(conn, business_id)?)
        })
        .await?;
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &BuyerHomePage {
                manage: true,
                meta: ctx.user.meta(&ctx.business_name),
                business_active: ctx.business_active,
                form,
                errors,
                locations,
            },
        );
    }
    with_conn(&pool, move |conn| {
        Ok(queries::update_business(
            conn,
            business_id,
            &name,
            vat.as_deref(),
        )?)
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Business details saved.");
    Ok(see_other("/buyer"))
}

pub async fn new_location(ctx: BuyerCtx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageLocations)?;
    render(&LocationPage {
        meta: ctx.user.meta("Add a delivery address"),
        location_id: None,
        form: LocationForm::default(),
        errors: FieldErrors::new(),
    })
}

pub async fn create_location(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<LocationForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageLocations)?;
    let input = match form.parse() {
        Ok(i) => i,
        Err(errors) => {
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &LocationPage {
                    meta: ctx.user.meta("Add a delivery address"),
                    location_id: None,
                    form,
                    errors,
                },
            );
        }
    };
    let business_id = ctx.business_id;
    with_conn(&pool, move |conn| {
        Ok(queries::insert_location(conn, business_id, &input)?)
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Delivery address added.");
    Ok(see_other("/buyer"))
}

pub async fn edit_location(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageLocations)?;
    let (business_id, id) = (ctx.business_id, LocationId(id.into_inner()));
    let location = with_conn(&pool, move |conn| {
        Ok(queries::find_location(conn, business_id, id)?)
    })
    .await?;
    render(&LocationPage {
        meta: ctx.user.meta("Edit delivery address"),
        location_id: Some(location.id),
        form: LocationForm::from_location(&location),
        errors: FieldErrors::new(),
    })
}

pub async fn update_location(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<LocationForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageLocations)?;
    let (business_id, id) = (ctx.business_id, LocationId(id.into_inner()));
    let input = match form.parse() {
        Ok(i) => i,
        Err(errors) => {
            // Another business's id must not get a form back: check ownership first.
            with_conn(&pool, move |conn| {
                Ok(queries::find_location(conn, business_id, id)?)
            })
            .await?;
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &LocationPage {
                    meta: ctx.user.meta("Edit delivery address"),
                    location_id: Some(id.0),
                    form,
                    errors,
                },
            );
        }
    };
    let changed = with_conn(&pool, move |conn| {
        Ok(queries::update_location(conn, business_id, id, &input)?)
    })
    .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    ctx.user
        .session
        .flash(FlashKind::Ok, "Delivery address saved.");
    Ok(see_other("/buyer"))
}

pub async fn make_default(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageLocations)?;
    let (business_id, id) = (ctx.business_id, LocationId(id.into_inner()));
    let changed = with_conn(&pool, move |conn| {
        Ok(queries::set_default_location(conn, business_id, id)?)
    })
    .await?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    ctx.user
        .session
        .flash(FlashKind::Ok, "Default delivery address changed.");
    Ok(see_other("/buyer"))
}

pub async fn delete_location(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageLocations)?;
    let (business_id, id) = (ctx.business_id, LocationId(id.into_inner()));
    let outcome = with_conn(&pool, move |conn| {
        Ok(queries::archive_location(conn, business_id, id)?)
    })
    .await?;
    match outcome {
        queries::Archived::NotFound => Err(AppError::NotFound),
        queries::Archived::IsDefault => Err(AppError::conflict(
            "This is your default delivery address: make another address the default first.",
        )),
        queries::Archived::Done => {
            ctx.user.session.flash(
                FlashKind::Ok,
                "Address deleted. Orders already placed to it are not affected.",
            );
            Ok(see_other("/buyer"))
        }
    }
}
