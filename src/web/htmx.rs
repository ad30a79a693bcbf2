//! htmx request detection; handlers answer a fragment when it is set, a full page otherwise.

use actix_web::HttpResponse;
use actix_web::http::header::{HeaderMap, HeaderValue, VARY};

pub const HX_REQUEST: &str = "HX-Request";

pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers
        .get(HX_REQUEST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Marks a response that differs for htmx requests, so caches keep the page and the fragment
/// apart.
pub fn with_vary(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut()
        .insert(VARY, HeaderValue::from_static(HX_REQUEST));
    res
}
