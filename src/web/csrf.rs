//! CSRF protection for every state-changing request: the session's token must come back
//! in the `X-CSRF-Token` header (htmx, from the layout's hx-headers) or, for plain forms,
//! in the `csrf_token` field. Webhooks are exempt: they are signed instead.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::{Error, web};

use super::AppError;
use super::session::AppSession;

pub const HEADER: &str = "X-CSRF-Token";
pub const FIELD: &str = "csrf_token";

pub async fn verify(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.path().starts_with("/webhooks/") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let expected = {
        use actix_session::SessionExt;
        AppSession::from_session(req.get_session()).existing_csrf_token()
    };
    let presented = match header_token(&req) {
        Some(token) => Some(token),
        None => form_token(&mut req).await?,
    };
    let valid = matches!((&expected, &presented), (Some(e), Some(p)) if constant_time_eq(e, p));
    if !valid {
        let err = AppError::Forbidden(
            "This form has expired or did not come from Larder. Reload the page and try again."
                .into(),
        );
        return Ok(req.error_response(err).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn header_token(req: &ServiceRequest) -> Option<String> {
    req.headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Reads the token from a urlencoded body (putting the body back for the handler), or for
/// file uploads, whose bodies are streamed, from the form's action URL.
async fn form_token(req: &mut ServiceRequest) -> Result<Option<String>, Error> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        let token = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
        return Ok(token);
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(None);
    }
    let body = req.extract::<web::Bytes>().await?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    req.set_payload(Payload::from(body));
    Ok(token)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn tokens_must_match_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(!constant_time_eq("", "a"));
    }
}
