//! The conversation on a credit request: messages from the buyer, the provider and (once
//! the buyer escalated) Larder's team, each with an optional photo. Photos are checked by
//! their bytes, stored outside the web root under their own id, and served only to the
//! request's parties and admins.

use std::path::{Path, PathBuf};

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::notify;
use super::queries::{self, Request};
use crate::audit::Actor;
use crate::db::schema::{credit_request_messages, credit_request_photos, users};
use crate::ids::{CreditRequestId, UserId};
use crate::tenancy::Scope;
use crate::web::AppError;

pub const MAX_PHOTO: usize = 5 * 1024 * 1024;
pub const MAX_BODY: usize = 2000;

/// The photo's type read from its first bytes, whatever its name or the browser claims.
pub fn photo_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// A message as typed: text up to 2,000 characters, a photo, or both.
pub fn check(body: &str, photo: Option<&[u8]>) -> Result<(String, Option<&'static str>), String> {
    let body = body.trim();
    if body.chars().count() > MAX_BODY {
        return Err(format!("Keep the message to {MAX_BODY} characters."));
    }
    let kind = match photo {
        None => None,
        Some(bytes) if bytes.len() > MAX_PHOTO => {
            return Err("A photo can be at most 5 MB.".into());
        }
        Some(bytes) => Some(photo_kind(bytes).ok_or("Photos must be JPEG or PNG images.")?),
    };
    if body.is_empty() && kind.is_none() {
        return Err("Write a message or add a photo.".into());
    }
    Ok((body.to_owned(), kind))
}

/// Who is writing, and so which side the message shows on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Buyer,
    Provider,
    Admin,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Provider => "provider",
            Self::Admin => "admin",
        }
    }
}

/// Where photos are kept: `{upload_dir}/credit-requests/{photo id}`.
pub fn photo_path(upload_dir: &Path, photo: Uuid) -> PathBuf {
    upload_dir.join("credit-requests").join(photo.to_string())
}

/// A message to post.
pub struct Post<'a> {
    pub body: &'a str,
    pub photo: Option<(&'a [u8], &'static str)>,
    pub key: Uuid,
    /// Email the other side (a photo sent with a new request rides on its own email).
    pub notify: bool,
}

/// Posts a message on a request the writer's organisation is party to (admins: only once
/// escalated). The photo is written to disk first and the rows after; a failed write leaves
/// no row, and a failed transaction removes the file.
pub fn post(
    conn: &mut PgConnection,
    (side, scope): (Side, Scope),
    id: CreditRequestId,
    message: &Post<'_>,
    (user, actor, now): (UserId, &Actor, OffsetDateTime),
    (upload_dir, base_url): (&Path, &str),
) -> Result<(), AppError> {
    let photo_id = Uuid::now_v7();
    let written = match message.photo {
        Some((bytes, _)) => {
            let path = photo_path(upload_dir, photo_id);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(anyhow::Error::from)?;
            }
            std::fs::write(&path, bytes).map_err(anyhow::Error::from)?;
            Some(path)
        }
        None => None,
    };
    let result = conn.transaction(|conn| {
        let request = queries::find(conn, scope, id)?;
        if side == Side::Admin && request.escalated_at.is_none() {
            return Err(AppError::NotFound);
        }
        let posted = diesel::insert_into(credit_request_messages::table)
            .values((
                credit_request_messages::request_id.eq(id.0),
                credit_request_messages::author_id.eq(Some(user.0)),
                credit_request_messages::side.eq(side.as_str()),
                credit_request_messages::body.eq(message.body),
                credit_request_messages::idempotency_key.eq(message.key),
                credit_request_messages::created_at.eq(now),
            ))
            .on_conflict(credit_request_messages::idempotency_key)
            .do_nothing()
            .returning(credit_request_messages::id)
            .get_result::<Uuid>(conn)
            .optional()?;
        let Some(message_id) = posted else {
            return Ok(false); // sent before
        };
        if let Some((bytes, kind)) = message.photo {
            diesel::insert_into(credit_request_photos::table)
                .values((
                    credit_request_photos::id.eq(photo_id),
                    credit_request_photos::request_id.eq(id.0),
                    credit_request_photos::message_id.eq(message_id),
                    credit_request_photos::content_type.eq(kind),
                    credit_request_photos::size_bytes
                        .eq(i32::try_from(bytes.len()).unwrap_or(i32::MAX)),
                    credit_request_photos::sha256.eq(hex::encode(Sha256::digest(bytes))),
                    credit_request_photos::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        let parties = (request.business_id.0, request.provider_id.0);
        queries::audit(
            conn,
            actor,
            id.0,
            parties,
            "credit_request.message",
            request.amount,
        )?;
        if message.notify {
            notify::message(conn, &request, side, message_id, base_url)?;
        }
        Ok(true)
    });
    match result {
        Ok(true) => Ok(()),
        other => {
            // Sent before, or refused: the new file belongs to no row.
            if let Some(path) = written {
                let _ = std::fs::remove_file(&path);
            }
            other.map(|_| ())
        }
    }
}

/// A message as the thread shows it.
#[derive(Debug, Clone)]
pub struct Message {
    pub side: String,
    pub author: Option<String>,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub photos: Vec<Uuid>,
}

impl Message {
    pub fn when(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }
}

pub fn messages(conn: &mut PgConnection, id: CreditRequestId) -> QueryResult<Vec<Message>> {
    let rows: Vec<(Uuid, String, Option<String>, String, OffsetDateTime)> =
        credit_request_messages::table
            .left_join(users::table)
            .filter(credit_request_messages::request_id.eq(id.0))
            .order((
                credit_request_messages::created_at,
                credit_request_messages::id,
            ))
            .select((
                credit_request_messages::id,
                credit_request_messages::side,
                users::name.nullable(),
                credit_request_messages::body,
                credit_request_messages::created_at,
            ))
            .load(conn)?;
    let photos: Vec<(Uuid, Uuid)> = credit_request_photos::table
        .filter(credit_request_photos::request_id.eq(id.0))
        .order(credit_request_photos::created_at)
        .select((credit_request_photos::message_id, credit_request_photos::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(mid, side, author, body, created_at)| Message {
            side,
            author,
            body,
            created_at,
            photos: photos
                .iter()
                .filter(|(m, _)| *m == mid)
                .map(|(_, p)| *p)
                .collect(),
        })
        .collect())
}

/// Each request's latest message: (request, side, when), for the lists' "new message".
pub fn latest(
    conn: &mut PgConnection,
    ids: &[CreditRequestId],
) -> QueryResult<Vec<(Uuid, String, OffsetDateTime)>> {
    let ids: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
    credit_request_messages::table
        .filter(credit_request_messages::request_id.eq_any(ids))
        .distinct_on(credit_request_messages::request_id)
        .order((
            credit_request_messages::request_id,
            credit_request_messages::created_at.desc(),
        ))
        .select((
            credit_request_messages::request_id,
            credit_request_messages::side,
            credit_request_messages::created_at,
        ))
        .load(conn)
}

/// A photo's type, if it belongs to a request the asker may see (admins: escalated ones).
pub fn photo(
    conn: &mut PgConnection,
    scope: Scope,
    id: CreditRequestId,
    photo: Uuid,
) -> Result<&'static str, AppError> {
    let request = queries::find(conn, scope, id)?;
    if scope == Scope::Admin && request.escalated_at.is_none() {
        return Err(AppError::NotFound);
    }
    let kind: String = credit_request_photos::table
        .filter(credit_request_photos::id.eq(photo))
        .filter(credit_request_photos::request_id.eq(id.0))
        .select(credit_request_photos::content_type)
        .first(conn)?;
    Ok(if kind == "image/png" {
        "image/png"
    } else {
        "image/jpeg"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_known_by_their_bytes_not_their_names() {
        assert_eq!(photo_kind(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(
            photo_kind(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some("image/png")
        );
        assert_eq!(photo_kind(b"<svg onload=alert(1)>"), None);
        assert_eq!(photo_kind(b"GIF89a"), None);
        assert_eq!(photo_kind(&[]), None);
    }

    #[test]
    fn a_message_is_text_a_photo_or_both_within_limits() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0];
        assert_eq!(check(" Look ", None), Ok(("Look".into(), None)));
        assert_eq!(
            check("", Some(&jpeg)),
            Ok((String::new(), Some("image/jpeg")))
        );
        assert!(check("  ", None).unwrap_err().contains("Write a message"));
        assert!(check(&"x".repeat(2001), None).unwrap_err().contains("2000"));
        assert!(
            check("", Some(b"%PDF-1.7"))
                .unwrap_err()
                .contains("JPEG or PNG")
        );
        let big = vec![0xFF; MAX_PHOTO + 1];
        assert!(check("", Some(&big)).unwrap_err().contains("5 MB"));
    }
}

/// The conversation region of a request page, for any side.
#[derive(askama::Template)]
#[template(path = "credits/_thread.html")]
pub struct ThreadView {
    csrf: String,
    /// The buyer's and the provider's names, for who wrote what.
    names: (String, String),
    messages: Vec<Message>,
    /// Where this side reads photos: `{base}/{photo id}`.
    photo_base: String,
    action: String,
    can_write: bool,
    error: Option<String>,
    typed: String,
    key: String,
}

impl ThreadView {
    /// The thread as `base` (the request's own path on this side) shows it.
    pub fn new(
        csrf: &str,
        r: &Request,
        messages: Vec<Message>,
        base: &str,
        can_write: bool,
    ) -> Self {
        Self {
            csrf: csrf.to_owned(),
            names: (r.business_name.clone(), r.provider_name.clone()),
            messages,
            photo_base: format!("{base}/photos"),
            action: format!("{base}/messages"),
            can_write,
            error: None,
            typed: String::new(),
            key: Uuid::now_v7().to_string(),
        }
    }

    /// The form refused: its message beside it, and the text as typed (the same key, so a
    /// resend of the same form still posts once).
    pub fn refused(mut self, error: String, typed: String, key: String) -> Self {
        self.error = Some(error);
        self.typed = typed;
        if Uuid::parse_str(&key).is_ok() {
            self.key = key;
        }
        self
    }

    fn who(&self, m: &Message) -> String {
        match m.side.as_str() {
            "buyer" => self.names.0.clone(),
            "provider" => self.names.1.clone(),
            _ => "Larder's team".into(),
        }
    }
}
