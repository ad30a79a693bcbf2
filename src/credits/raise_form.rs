//! The credit request form arrives as multipart when the buyer adds a photo (plain
//! urlencoded otherwise). Its line fields are named per order line, so it is read field by
//! field with limits, rather than into a fixed struct.

use std::collections::HashMap;

use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use uuid::Uuid;

use super::thread::{self, Post, Side};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::{BusinessId, CreditRequestId};
use crate::tenancy::{CurrentUser, Scope};
use crate::web::{AppError, with_conn};

/// Where a photo's problem is kept among the form's per-line errors.
pub const PHOTO: Uuid = Uuid::max();

/// Text fields: a form for a long order has a few per line, each short.
const MAX_FIELDS: usize = 2000;
const MAX_FIELD: usize = 4 * 1024;

type Fields = HashMap<String, String>;

fn bad(what: &str) -> AppError {
    AppError::BadRequest(format!("The credit request could not be read: {what}"))
}

/// The text fields, and the photo's bytes if one was chosen.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(Fields, Option<Vec<u8>>), AppError> {
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let mut payload = payload.into_inner();
        let form = crate::web::forms::Form::<Fields>::from_request(req, &mut payload).await?;
        return Ok((form.0, None));
    }
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let (mut fields, mut photo) = (Fields::new(), None);
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|e| bad(&e.to_string()))?;
        let name = part.name().unwrap_or_default().to_owned();
        let limit = if name == "photo" {
            thread::MAX_PHOTO
        } else {
            MAX_FIELD
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| bad(&e.to_string()))?;
            if bytes.len() + chunk.len() > limit {
                if name != "photo" {
                    return Err(bad("a field is too long"));
                }
                // Kept one byte over the limit, so the form says the photo is too big
                // beside the lines the buyer filled in.
                let room = limit + 1 - bytes.len().min(limit + 1);
                bytes.extend_from_slice(&chunk[..room.min(chunk.len())]);
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "photo" {
            photo = Some(bytes).filter(|b| !b.is_empty());
        } else {
            if fields.len() >= MAX_FIELDS {
                return Err(bad("too many fields"));
            }
            let text = String::from_utf8(bytes).map_err(|_| bad("a field isn't text"))?;
            fields.insert(name, text);
        }
    }
    Ok((fields, photo))
}

/// The photo's type, or why it can't be sent.
pub fn check_photo(bytes: &[u8]) -> Result<&'static str, String> {
    match thread::check("", Some(bytes))? {
        (_, Some(kind)) => Ok(kind),
        (_, None) => Err("Photos must be JPEG or PNG images.".into()),
    }
}

/// Puts the photo sent with a new request at the start of its conversation. The form's key
/// keys the message too, so a replay adds nothing.
pub async fn attach(
    (pool, config): (&web::Data<DbPool>, &Config),
    user: &CurrentUser,
    (business, id): (BusinessId, CreditRequestId),
    (bytes, kind): (Vec<u8>, &'static str),
    key: Uuid,
) -> Result<(), AppError> {
    let (user_id, actor, now) = (user.id, user.actor.clone(), user.now);
    let (dir, base) = (config.upload_dir.clone(), config.base_url.clone());
    with_conn(pool, move |conn| {
        let message = Post {
            body: "Photo sent with the request.",
            photo: Some((&bytes, kind)),
            key,
            // The provider's "new credit request" email already covers it.
            notify: false,
        };
        thread::post(
            conn,
            (Side::Buyer, Scope::Buyer(business)),
            id,
            &message,
            (user_id, &actor, now),
            (&dir, &base),
        )
    })
    .await
}
