//! Response headers every page carries.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{Error, ResponseError};

use super::AppError;
use super::forms::{NUL_MESSAGE, has_nul};

/// Forms may lead only here, or to Stripe Checkout (Chrome applies form-action to the
/// redirect after "Pay").
/// No inline script anywhere (htmx is configured by a meta tag and loaded from /static),
/// no framing, no sniffing, and a referrer that never leaks paths to other sites.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'";

pub fn headers(production: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"));
    if production {
        headers.add((
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        headers
    }
}

/// A URL carrying a NUL character is refused before any handler or query sees it.
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // Path and query as sent (still percent-encoded): no allocation on every request.
    if has_nul(req.path().as_bytes()) || has_nul(req.query_string().as_bytes()) {
        let res = AppError::BadRequest(NUL_MESSAGE.into()).error_response();
        return Ok(req.into_response(res).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Pages carry private data (orders, invoices, account details), so no shared or back-button
/// cache may keep them; only `/static` files, which name their version, are cacheable.
pub async fn no_store(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let is_static = req.path().starts_with("/static/");
    let mut res = next.call(req).await?;
    if !is_static && !res.headers().contains_key(CACHE_CONTROL) {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
