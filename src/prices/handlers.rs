//! The provider's customer prices page: prices per customer or group, the groups, and the
//! CSV import and export.

use std::collections::HashMap;

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as UploadBytes;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::Date;
use uuid::Uuid;

use super::queries::{self, Customer, For, Group, NewPrice, PriceRow};
use super::rules;
use crate::db::DbPool;
use crate::ids::ProviderId;
use crate::money::format_gbp;
use crate::tenancy::{Permission, ProviderCtx};
use crate::timefmt::to_london;
use crate::web::forms::Form;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render_with_status, see_other, with_conn};

const PAGE: &str = "/provider/customer-prices";

struct Loaded {
    prices: Vec<PriceRow>,
    customers: Vec<Customer>,
    groups: Vec<Group>,
    members: Vec<(Uuid, Uuid, String)>,
}

async fn load(pool: &web::Data<DbPool>, provider: ProviderId) -> Result<Loaded, AppError> {
    with_conn(pool, move |conn| {
        Ok(Loaded {
            prices: queries::list(conn, provider)?,
            customers: queries::customers(conn, provider)?,
            groups: queries::groups(conn, provider)?,
            members: queries::members(conn, provider)?,
        })
    })
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PriceForm {
    pub sku: String,
    /// "b:<business id>" or "g:<group id>".
    pub buyer: String,
    pub price: String,
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Template)]
#[template(path = "prices/prices.html")]
struct PricesPage {
    meta: PageMeta,
    today: Date,
    loaded: Loaded,
    form: PriceForm,
    errors: HashMap<&'static str, String>,
    /// A refused import: the file's problem, or each bad line.
    import_errors: Vec<String>,
}

impl PricesPage {
    fn money(&self, d: impl std::borrow::Borrow<rust_decimal::Decimal>) -> String {
        format_gbp(*d.borrow())
    }
    fn state(&self, r: &PriceRow) -> String {
        rules::state(r.starts_on, r.ends_on, self.today)
    }
    fn day(&self, d: &Date) -> String {
        crate::timefmt::date(*d)
    }
    fn members_of(&self, group: &Uuid) -> Vec<(Uuid, String)> {
        self.loaded
            .members
            .iter()
            .filter(|(g, _, _)| g == group)
            .map(|(_, b, n)| (*b, n.clone()))
            .collect()
    }
    fn buyer_value_b(&self, id: &Uuid) -> String {
        format!("b:{id}")
    }
    fn buyer_value_g(&self, id: &Uuid) -> String {
        format!("g:{id}")
    }
}

async fn page(
    ctx: &ProviderCtx,
    pool: &web::Data<DbPool>,
    form: PriceForm,
    errors: HashMap<&'static str, String>,
    import_errors: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let loaded = load(pool, ctx.provider_id).await?;
    render_with_status(
        status,
        &PricesPage {
            meta: ctx.user.meta("Customer prices"),
            today: to_london(ctx.user.now).date(),
            loaded,
            form,
            errors,
            import_errors,
        },
    )
}

pub async fn prices(ctx: ProviderCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    page(
        &ctx,
        &pool,
        PriceForm::default(),
        HashMap::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// "b:<id>" or "g:<id>" from the buyer select.
fn buyer_of(raw: &str) -> Option<For> {
    let (kind, id) = raw.trim().split_once(':')?;
    let id = Uuid::parse_str(id).ok()?;
    match kind {
        "b" => Some(For::Business(id)),
        "g" => Some(For::Group(id)),
        _ => None,
    }
}

pub async fn add(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<PriceForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let today = to_london(ctx.user.now).date();
    let mut errors = HashMap::new();
    let price = crate::catalog::rules::price(&form.price)
        .map_err(|e| errors.insert("price", e.to_owned()))
        .ok();
    let period = rules::period(&form.starts_on, &form.ends_on, today)
        .map_err(|e| errors.insert("ends_on", e))
        .ok();
    let buyer = buyer_of(&form.buyer);
    if buyer.is_none() {
        errors.insert("buyer", "Choose a customer or a group.".into());
    }
    let (provider, sku) = (ctx.provider_id, form.sku.trim().to_owned());
    // The product must be this provider's, the buyer one of its customers or groups.
    let found = with_conn(&pool, move |conn| {
        let product = queries::product_by_sku(conn, provider, &sku)?;
        let known = match buyer {
            Some(For::Business(b)) => queries::customer(conn, provider, b)?.is_some(),
            Some(For::Group(g)) => {
                use diesel::OptionalExtension;
                queries::group(conn, provider, g).optional()?.is_some()
            }
            None => false,
        };
        Ok((product, known))
    })
    .await?;
    let (product, known) = found;
    if product.is_none() {
        errors.insert("sku", "None of your listed products has that SKU.".into());
    }
    if buyer.is_some() && !known {
        errors.insert("buyer", "Choose one of your customers or groups.".into());
    }
    let (Some((product, _)), Some(buyer), Some(price), Some((starts_on, ends_on)), true) =
        (product, buyer, price, period, errors.is_empty())
    else {
        return page(
            &ctx,
            &pool,
            form,
            errors,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let new = NewPrice {
        product,
        buyer,
        price,
        starts_on,
        ends_on,
    };
    with_conn(&pool, move |conn| {
        Ok(queries::insert(conn, provider, &new)?)
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        format!("Customer price of {} saved.", format_gbp(price)),
    );
    Ok(see_other(PAGE))
}

pub async fn remove(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let removed = with_conn(&pool, move |conn| Ok(queries::delete(conn, provider, id)?)).await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    ctx.user.session.flash(
        FlashKind::Ok,
        "Customer price removed: that buyer pays the list price from now on.",
    );
    Ok(see_other(PAGE))
}

pub async fn export(ctx: ProviderCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let provider = ctx.provider_id;
    let rows = with_conn(&pool, move |conn| Ok(queries::list(conn, provider)?)).await?;
    let body = rules::export(&rows).map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(crate::web::csv_download("larder-customer-prices.csv", body))
}

#[derive(MultipartForm)]
pub struct Upload {
    #[multipart(limit = "1MiB")]
    file: UploadBytes,
}

/// Imports every row or none: each bad line is listed and nothing is written.
pub async fn import(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    upload: MultipartForm<Upload>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let refuse = |errors: Vec<String>| {
        page(
            &ctx,
            &pool,
            PriceForm::default(),
            HashMap::new(),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let rows = match rules::parse_csv(&upload.file.data) {
        Ok(rows) if rows.is_empty() => {
            return refuse(vec!["The file has a header row but no prices.".into()]).await;
        }
        Ok(rows) => rows,
        Err(why) => return refuse(vec![why]).await,
    };
    let (provider, today) = (ctx.provider_id, to_london(ctx.user.now).date());
    let outcome = with_conn(&pool, move |conn| {
        let mut customers: HashMap<String, Vec<Uuid>> = HashMap::new();
        for c in queries::customers(conn, provider)? {
            customers
                .entry(c.name.to_lowercase())
                .or_default()
                .push(c.id);
        }
        let known = rules::Known {
            skus: queries::listed_skus(conn, provider)?,
            customers,
            groups: queries::groups(conn, provider)?
                .into_iter()
                .map(|g| (g.name.to_lowercase(), g.id))
                .collect(),
        };
        match rules::resolve(&rows, &known, today) {
            Err(bad) => Ok(Err(bad)),
            Ok(good) => {
                use diesel::Connection;
                conn.transaction(|conn| {
                    for r in &good {
                        let buyer = match r.buyer {
                            rules::Buyer::Business(b) => For::Business(b),
                            rules::Buyer::Group(g) => For::Group(g),
                        };
                        let new = NewPrice {
                            product: r.product,
                            buyer,
                            price: r.price,
                            starts_on: r.starts_on,
                            ends_on: r.ends_on,
                        };
                        queries::insert(conn, provider, &new)?;
                    }
                    diesel::QueryResult::Ok(())
                })?;
                Ok(Ok(good.len()))
            }
        }
    })
    .await?;
    match outcome {
        Ok(count) => {
            ctx.user.session.flash(
                FlashKind::Ok,
                format!("Imported {count} customer price(s)."),
            );
            Ok(see_other(PAGE))
        }
        Err(bad) => {
            let mut errors =
                vec!["Nothing was imported. Fix these lines and upload the file again:".to_owned()];
            errors.extend(
                bad.into_iter()
                    .map(|(line, why)| format!("Line {line}: {why}.")),
            );
            refuse(errors).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    pub name: String,
}

pub async fn create_group(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<GroupForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let name: String = form.name.trim().to_owned();
    let (provider, shown) = (ctx.provider_id, name.clone());
    let refused = if name.is_empty() || name.chars().count() > 80 {
        Some("Name the group in up to 80 characters.".to_owned())
    } else {
        let made = with_conn(&pool, move |conn| {
            Ok(queries::create_group(conn, provider, &name)?)
        })
        .await?;
        (!made).then(|| format!("You already have a group called “{shown}”."))
    };
    if let Some(why) = refused {
        return page(
            &ctx,
            &pool,
            PriceForm::default(),
            HashMap::from([("group", why)]),
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    ctx.user.session.flash(
        FlashKind::Ok,
        format!("Group “{shown}” made. Add customers to it below."),
    );
    Ok(see_other(PAGE))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    pub business: String,
}

pub async fn add_member(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (provider, group) = (ctx.provider_id, id.into_inner());
    let business = Uuid::parse_str(form.business.trim()).map_err(|_| AppError::NotFound)?;
    let name = with_conn(&pool, move |conn| {
        let group = queries::group(conn, provider, group)?;
        let customer = queries::customer(conn, provider, business)?.ok_or(AppError::NotFound)?;
        queries::add_member(conn, group.id, business)?;
        Ok(format!("{} is in “{}”.", customer.name, group.name))
    })
    .await?;
    ctx.user.session.flash(FlashKind::Ok, name);
    Ok(see_other(PAGE))
}

pub async fn remove_member(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (group, business) = path.into_inner();
    let provider = ctx.provider_id;
    with_conn(&pool, move |conn| {
        let group = queries::group(conn, provider, group)?;
        if queries::remove_member(conn, group.id, business)? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        "Removed from the group: its prices no longer apply to them.",
    );
    Ok(see_other(PAGE))
}
