//! CSRF protection for every state-changing request: the session's token must come back
//! in the `X-CSRF-Token` header (htmx, from the layout's hx-headers) or, for plain forms,
//! in the `csrf_token` field. Webhooks are exempt: they are signed instead.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};

use super::AppError;
use super::session::AppSession;

pub const HEADER: &str = "X-CSRF-Token";
pub const FIELD: &str = "csrf_token";

pub async fn verify(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // `/test/` exists only when the clock is settable, never in production.
    if safe || req.path().starts_with("/webhooks/") || req.path().starts_with("/test/") {
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

/// Reads the token from the form body, putting the body back for the handler. File uploads
/// carry it as a multipart field too: a token in the URL would leak to logs and `Referer`.
async fn form_token(req: &mut ServiceRequest) -> Result<Option<String>, Error> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let boundary = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| {
            rest.split(';')
                .find_map(|p| p.trim().strip_prefix("boundary="))
        })
        .map(|b| b.trim_matches('"').to_owned());
    if boundary.is_none() && !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(None);
    }
    // Bounded as the handler's own extractor would be: the upload limit or the form limit.
    let limit = if boundary.is_some() {
        UPLOAD_LIMIT
    } else {
        super::forms::FORM_LIMIT
    };
    let body = read_body(req.take_payload(), limit).await?;
    let token = match &boundary {
        Some(boundary) => multipart_field(&body, boundary, FIELD),
        None => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v)),
    };
    req.set_payload(Payload::from(body));
    Ok(token)
}

/// The most an upload request may carry (the multipart extractor's own total limit): one
/// 5 MB photo and its form.
pub const UPLOAD_LIMIT: usize = 6 * 1024 * 1024;

async fn read_body(mut payload: Payload, limit: usize) -> Result<web::Bytes, AppError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::BadRequest("What you sent is too large.".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The value of one small text field in a multipart body, read without a full parser: the
/// part whose headers name it, up to the next boundary.
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let text = String::from_utf8_lossy(body);
    text.split(delimiter.as_str()).find_map(|part| {
        let (headers, value) = part.split_once("\r\n\r\n")?;
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?;
        if !disposition.split(';').any(|p| p.trim() == wanted) {
            return None;
        }
        Some(value.strip_suffix("\r\n").unwrap_or(value).to_owned())
    })
}

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::{constant_time_eq, multipart_field};

    #[test]
    fn multipart_token_is_read_from_its_own_field() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
                    Content-Type: text/csv\r\n\r\nname=\"csrf_token\"\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field(body.as_bytes(), "XyZ", "csrf_token").as_deref(),
            Some("abc123")
        );
        let no_token = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"csrf_token\"\r\n\r\nx\r\n--XyZ--";
        assert_eq!(
            multipart_field(no_token.as_bytes(), "XyZ", "csrf_token"),
            None
        );
    }

    #[test]
    fn tokens_must_match_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(!constant_time_eq("", "a"));
    }
}
