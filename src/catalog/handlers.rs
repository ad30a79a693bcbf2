//! The provider's catalogue: list, add, edit, stock toggle, delete, CSV import and export.

use actix_multipart::form::MultipartForm;
use actix_multipart::form::bytes::Bytes as UploadBytes;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::csv_io::{self, RowOutcome};
use super::forms::ProductForm;
use super::model::Product;
use super::queries::{self, ApplyOutcome, ProductFilter};
use crate::categories::{CATEGORIES, is_category};
use crate::db::DbPool;
use crate::tenancy::Permission;
use crate::tenancy::ProviderCtx;
use crate::web::forms::{FieldErrors, Form};
use crate::web::htmx::{is_htmx, with_vary};
use crate::web::pagination::{PageRequest, Paged};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

type Categories = &'static [(&'static str, &'static str)];

#[derive(Template)]
#[template(path = "catalog/products.html")]
struct ProductsPage {
    meta: PageMeta,
    products: Paged<Product>,
    category: String,
    q: String,
    categories: Categories,
}

impl ProductsPage {
    fn page_link(&self, page: i64) -> String {
        let query = serde_urlencoded::to_string([
            ("category", self.category.as_str()),
            ("q", &self.q),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default();
        format!("/provider/products?{query}")
    }
}

#[derive(Template)]
#[template(path = "catalog/_stock.html")]
struct StockToggle {
    meta: PageMeta,
    product: Product,
}

#[derive(Template)]
#[template(path = "catalog/product_form.html")]
struct ProductFormPage {
    meta: PageMeta,
    product_id: Option<Uuid>,
    form: ProductForm,
    errors: FieldErrors,
    categories: Categories,
}

impl ProductFormPage {
    fn action(&self) -> String {
        self.product_id.map_or_else(
            || "/provider/products".into(),
            |id| format!("/provider/products/{id}"),
        )
    }
}

#[derive(Template)]
#[template(path = "catalog/delete.html")]
struct DeletePage {
    meta: PageMeta,
    product: Product,
}

#[derive(Template)]
#[template(path = "catalog/import.html")]
struct ImportPage {
    meta: PageMeta,
    problem: Option<String>,
    headers: String,
}

#[derive(Template)]
#[template(path = "catalog/preview.html")]
struct PreviewPage {
    meta: PageMeta,
    file_name: String,
    import_id: Option<Uuid>,
    rows: Vec<RowOutcome>,
    error_rows: usize,
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    category: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

pub async fn list(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let category = query
        .category
        .clone()
        .filter(|c| is_category(c))
        .unwrap_or_default();
    let q: String = query
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(100)
        .collect();
    let page = PageRequest::from_query(query.page.as_deref());
    let filter = ProductFilter {
        category: (!category.is_empty()).then(|| category.clone()),
        text: (!q.is_empty()).then(|| q.clone()),
    };
    let provider = ctx.provider_id;
    let rows = with_conn(&pool, move |conn| {
        Ok(queries::list(conn, provider, &filter, page)?)
    })
    .await?;
    render(&ProductsPage {
        meta: ctx.user.meta("Your catalogue"),
        products: Paged::new(rows, page),
        category,
        q,
        categories: CATEGORIES,
    })
}

fn form_page(
    ctx: &ProviderCtx,
    id: Option<Uuid>,
    form: ProductForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let title = if id.is_some() {
        "Edit product"
    } else {
        "Add a product"
    };
    render_with_status(
        status,
        &ProductFormPage {
            meta: ctx.user.meta(title),
            product_id: id,
            form,
            errors,
            categories: CATEGORIES,
        },
    )
}

pub async fn new_product(ctx: ProviderCtx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    form_page(
        &ctx,
        None,
        ProductForm::blank(),
        FieldErrors::new(),
        StatusCode::OK,
    )
}

const SKU_TAKEN: &str = "You already have a product with this SKU.";

pub async fn create(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<ProductForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let input = match form.parse() {
        Ok(i) => i,
        Err(errors) => {
            return form_page(&ctx, None, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let provider = ctx.provider_id;
    let created = with_conn(&pool, move |conn| {
        if queries::sku_taken(conn, provider, &input.sku, None)? {
            return Ok(None);
        }
        Ok(Some(queries::insert(conn, provider, &input)?))
    })
    .await?;
    if created.is_none() {
        let mut errors = FieldErrors::new();
        errors.add("sku", SKU_TAKEN);
        return form_page(&ctx, None, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    ctx.user.session.flash(FlashKind::Ok, "Product added.");
    Ok(see_other("/provider/products"))
}

pub async fn edit(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let product = with_conn(&pool, move |conn| Ok(queries::find(conn, provider, id)?)).await?;
    form_page(
        &ctx,
        Some(id),
        ProductForm::from_product(&product),
        FieldErrors::new(),
        StatusCode::OK,
    )
}

pub async fn update(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<ProductForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    // Ownership first: another provider's id gets 404 even with a bad form.
    with_conn(&pool, move |conn| Ok(queries::find(conn, provider, id)?)).await?;
    let input = match form.parse() {
        Ok(i) => i,
        Err(errors) => {
            return form_page(
                &ctx,
                Some(id),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let actor = ctx.user.actor.clone();
    let outcome = with_conn(&pool, move |conn| {
        if queries::sku_taken(conn, provider, &input.sku, Some(id))? {
            return Ok(None);
        }
        Ok(Some(queries::update(conn, provider, id, &input, &actor)?))
    })
    .await?;
    match outcome {
        None => {
            let mut errors = FieldErrors::new();
            errors.add("sku", SKU_TAKEN);
            form_page(
                &ctx,
                Some(id),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Some(0) => Err(AppError::NotFound),
        Some(_) => {
            ctx.user.session.flash(
                FlashKind::Ok,
                "Product saved. Orders already placed keep their old details.",
            );
            Ok(see_other("/provider/products"))
        }
    }
}

#[derive(Deserialize)]
pub struct StockForm {
    in_stock: String,
}

/// Flips stock from the list; htmx swaps just the button, a plain form reloads the list.
pub async fn set_stock(
    req: HttpRequest,
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<StockForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let in_stock = form.in_stock == "true";
    let product = with_conn(&pool, move |conn| {
        Ok(queries::set_in_stock(conn, provider, id, in_stock)?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    if is_htmx(req.headers()) {
        return Ok(with_vary(render(&StockToggle {
            meta: ctx.user.meta(""),
            product,
        })?));
    }
    Ok(see_other("/provider/products"))
}

pub async fn confirm_delete(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let product = with_conn(&pool, move |conn| Ok(queries::find(conn, provider, id)?)).await?;
    render(&DeletePage {
        meta: ctx.user.meta(format!("Delete {}", product.name)),
        product,
    })
}

pub async fn delete(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let deleted = with_conn(&pool, move |conn| Ok(queries::delete(conn, provider, id)?)).await?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    ctx.user.session.flash(FlashKind::Ok, "Product deleted.");
    Ok(see_other("/provider/products"))
}

fn import_page(
    ctx: &ProviderCtx,
    problem: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render_with_status(
        status,
        &ImportPage {
            meta: ctx.user.meta("Import your catalogue"),
            problem,
            headers: csv_io::HEADERS.join(","),
        },
    )
}

pub async fn import_form(ctx: ProviderCtx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    import_page(&ctx, None, StatusCode::OK)
}

#[derive(MultipartForm)]
pub struct Upload {
    #[multipart(limit = "2MiB")]
    file: UploadBytes,
}

/// Parses the upload and shows every row; only a file without errors is staged for applying.
pub async fn import_upload(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    upload: MultipartForm<Upload>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let file = &upload.file;
    let file_name: String = file
        .file_name
        .clone()
        .unwrap_or_else(|| "upload.csv".into())
        .chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect();
    let rows = match csv_io::parse(&file.data) {
        Ok(rows) if rows.is_empty() => {
            return import_page(
                &ctx,
                Some("The file has a header row but no products.".into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Ok(rows) => rows,
        Err(e) => return import_page(&ctx, Some(e.to_string()), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let error_rows = rows.iter().filter(|r| r.result.is_err()).count();
    let import_id = if error_rows == 0 {
        let inputs: Vec<_> = rows.iter().filter_map(|r| r.result.clone().ok()).collect();
        let (provider, name) = (ctx.provider_id, file_name.clone());
        Some(
            with_conn(&pool, move |conn| {
                Ok(queries::stage_import(conn, provider, &name, &inputs)?)
            })
            .await?,
        )
    } else {
        None
    };
    let status = if error_rows == 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(
        status,
        &PreviewPage {
            meta: ctx.user.meta("Check your import"),
            file_name,
            import_id,
            rows,
            error_rows,
        },
    )
}

pub async fn import_apply(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let (provider, id, actor) = (ctx.provider_id, id.into_inner(), ctx.user.actor.clone());
    match with_conn(&pool, move |conn| {
        Ok(queries::apply_import(conn, provider, id, &actor)?)
    })
    .await?
    {
        ApplyOutcome::Applied { created, updated } => {
            ctx.user.session.flash(
                FlashKind::Ok,
                format!("Import done: {created} added, {updated} updated."),
            );
            Ok(see_other("/provider/products"))
        }
        ApplyOutcome::AlreadyApplied => Err(AppError::conflict("This import was already applied.")),
        ApplyOutcome::NotFound => Err(AppError::NotFound),
    }
}

pub async fn export(ctx: ProviderCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageCatalogue)?;
    let provider = ctx.provider_id;
    let products = with_conn(&pool, move |conn| Ok(queries::all(conn, provider)?)).await?;
    let body = csv_io::export(&products).map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(crate::web::csv_download("catalogue.csv", body))
}
