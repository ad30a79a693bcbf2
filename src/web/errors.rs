//! Turns every error response (ours, actix's extractor errors, unknown routes) into a
//! friendly page, or into a small fragment aimed at the page's error region for htmx.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, ContentType, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse};
use askama::Template;
use tracing_actix_web::RequestId;

use super::PageMeta;
use super::error::PublicError;
use super::htmx::is_htmx;
use super::nav::ErrorNav;

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    meta: PageMeta,
    error: &'a PublicError,
    request_id: String,
    /// Where the person came from on this site, to go back to.
    back: Option<String>,
    home: &'static str,
}

#[derive(Template)]
#[template(path = "errors/_error.html")]
struct ErrorFragment<'a> {
    error: &'a PublicError,
    request_id: String,
}

/// Put in a response's extensions by a handler whose error body is meant for machines
/// (health checks, webhooks), so it is passed through untouched.
#[derive(Debug, Clone, Copy)]
pub struct KeepBody;

pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let htmx = is_htmx(req.headers());
    let res = next.call(req).await?;
    let status = res.status();
    let keep = res.response().extensions().get::<KeepBody>().is_some();
    if status.as_u16() < 400 || keep || is_html(&res) {
        return Ok(res.map_into_left_body());
    }
    let public = res
        .response()
        .extensions()
        .get::<PublicError>()
        .cloned()
        .unwrap_or_else(|| PublicError::for_status(status));
    let request_id = res
        .request()
        .extensions()
        .get::<RequestId>()
        .map(|id| id.to_string())
        .unwrap_or_default();
    let (req, original) = res.into_parts();
    if status.is_server_error() {
        record_server_error(&req, status, &request_id).await;
    }

    let nav = req.extensions().get::<ErrorNav>().cloned();
    let mut response = if status == StatusCode::UNAUTHORIZED {
        login_redirect(&req, htmx)
    } else if htmx {
        fragment_response(&public, request_id)
    } else {
        page_response(&public, request_id, nav, came_from(&req))
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    // Keep cookie changes (a purged session, a new CSRF token) made on the way out.
    for cookie in original.headers().get_all(header::SET_COOKIE) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    Ok(ServiceResponse::new(req, response).map_into_right_body())
}

fn is_html(res: &ServiceResponse<impl MessageBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn page_response(
    public: &PublicError,
    request_id: String,
    nav: Option<ErrorNav>,
    back: Option<String>,
) -> HttpResponse<BoxBody> {
    let mut meta = PageMeta::titled(public.title);
    let home = nav.as_ref().map_or("/", |n| n.user.home_path());
    if let Some(nav) = nav {
        meta.user = Some(nav.user);
        meta.csrf = nav.csrf;
    }
    let page = ErrorPage {
        meta,
        error: public,
        request_id,
        back,
        home,
    };
    html_or_plain(public, page.render())
}

/// The page this request came from, if it was one of ours (a path only, so the link can
/// never lead off-site) and not the failing page itself.
fn came_from(req: &actix_web::HttpRequest) -> Option<String> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let host = req.connection_info().host().to_owned();
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = format!("/{path}");
    let here = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("");
    (authority == host && path != here && !path.starts_with("//")).then_some(path)
}

/// htmx does not swap error responses into the target by default; the page's htmx config
/// swaps them, and these headers put the message in the layout's error region instead.
fn fragment_response(public: &PublicError, request_id: String) -> HttpResponse<BoxBody> {
    let fragment = ErrorFragment {
        error: public,
        request_id,
    };
    let mut res = html_or_plain(public, fragment.render());
    let headers = res.headers_mut();
    headers.insert(
        header::HeaderName::from_static("hx-retarget"),
        HeaderValue::from_static("#errors"),
    );
    headers.insert(
        header::HeaderName::from_static("hx-reswap"),
        HeaderValue::from_static("innerHTML"),
    );
    res
}

fn html_or_plain(public: &PublicError, rendered: askama::Result<String>) -> HttpResponse<BoxBody> {
    match rendered {
        Ok(body) => HttpResponse::build(public.status)
            .content_type(ContentType::html())
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            HttpResponse::build(public.status)
                .content_type(ContentType::plaintext())
                .body(public.message.clone())
        }
    }
}

/// Anonymous users go to the login page and come back afterwards. Only the path is kept,
/// so `next` can never point off-site.
fn login_redirect(req: &actix_web::HttpRequest, htmx: bool) -> HttpResponse<BoxBody> {
    let back = if req.method() == Method::GET {
        req.uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_else(|| "/".into())
    } else {
        "/".into()
    };
    let location = format!(
        "/login?{}",
        serde_urlencoded::to_string([("next", back.as_str())]).unwrap_or_default()
    );
    if htmx {
        HttpResponse::Unauthorized()
            .insert_header(("HX-Redirect", location))
            .finish()
    } else {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .finish()
    }
}

/// Best effort: a 5xx is listed on the admin health page. If the database is what failed,
/// the log line and Sentry still have it.
async fn record_server_error(req: &actix_web::HttpRequest, status: StatusCode, request_id: &str) {
    let Some(pool) = req
        .app_data::<actix_web::web::Data<crate::db::DbPool>>()
        .cloned()
    else {
        return;
    };
    let method = req.method().as_str().to_owned();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let id = request_id.to_owned();
    let written = crate::web::with_conn(&pool, move |conn| {
        Ok(crate::monitoring::health::record_server_error(
            conn,
            (&method, &route),
            status.as_u16(),
            &id,
        )?)
    })
    .await;
    if let Err(e) = written {
        tracing::warn!(error = %e, "server error not recorded for the health page");
    }
}
