//! The one application error, mapped once to a status code and a public message.
//! The cause chain goes to the logs (and Sentry), never to the page.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Not logged in: the error middleware turns this into a redirect to the login page.
    #[error("login required")]
    Unauthorized,
    /// The member's role needs two-step verification and it isn't set up: off to set it up.
    #[error("two-step verification required")]
    MfaSetupRequired,
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The form or query was malformed in a way the page cannot show beside a field.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("invalid input: {0}")]
    Validation(String),
    /// A state conflict, such as confirming an order that was cancelled meanwhile.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What the error page may say: a status and a message written for users.
#[derive(Debug, Clone)]
pub struct PublicError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
}

impl PublicError {
    pub fn for_status(status: StatusCode) -> Self {
        let (title, message) = match status.as_u16() {
            400 => ("Bad request", "The request could not be understood."),
            401 => ("Please log in", "You need to log in to see this page."),
            403 => ("Not allowed", "You are not allowed to do that."),
            404 => (
                "Page not found",
                "We couldn't find that page. It may have moved, or the link may be wrong.",
            ),
            405 => ("Not allowed", "That action isn't available here."),
            409 => ("Conflict", "That can't be done in the current state."),
            413 => ("Too large", "What you sent is too large."),
            422 => ("Check your input", "Some of what you entered isn't valid."),
            429 => (
                "Slow down",
                "Too many requests. Please wait a moment and try again.",
            ),
            503 => (
                "Temporarily unavailable",
                "The service is briefly unavailable. Please try again shortly.",
            ),
            s if s >= 500 => (
                "Something went wrong",
                "Something went wrong on our side. It has been logged and we'll look into it.",
            ),
            _ => ("Request failed", "The request could not be completed."),
        };
        Self {
            status,
            title,
            message: message.to_owned(),
        }
    }
}

impl AppError {
    pub fn conflict(msg: impl Into<String>) -> Self {
        Self::Conflict(msg.into())
    }

    pub fn public(&self) -> PublicError {
        let status = self.status_code();
        let base = PublicError::for_status(status);
        let message = match self {
            Self::Forbidden(m)
            | Self::BadRequest(m)
            | Self::Validation(m)
            | Self::Conflict(m)
            | Self::Unavailable(m) => m.clone(),
            _ => base.message,
        };
        PublicError { message, ..base }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::MfaSetupRequired => StatusCode::SEE_OTHER,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A bare response carrying the public error; `web::errors::render_errors` turns it into
    /// a page or an htmx fragment, because only it sees the request.
    fn error_response(&self) -> HttpResponse {
        if matches!(self, Self::MfaSetupRequired) {
            return HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, "/account/mfa?required=1"))
                .finish();
        }
        let mut res = HttpResponse::new(self.status_code());
        res.extensions_mut().insert(self.public());
        res
    }
}

/// The one place database failures become answers. A constraint that fired is a race the
/// rules could not see (two tabs, two people saving the same thing at once): a 409 that asks
/// for a reload, never a 500. Domains that can say more check first and answer themselves.
impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error as E};
        match e {
            E::NotFound => Self::NotFound,
            E::DatabaseError(Kind::UniqueViolation, _) => Self::Conflict(
                "That was saved by someone else a moment ago. Reload the page to see it, then try again."
                    .into(),
            ),
            E::DatabaseError(Kind::ForeignKeyViolation, _) => Self::Conflict(
                "Something this refers to has just changed or been removed. Reload the page and try again."
                    .into(),
            ),
            E::DatabaseError(Kind::SerializationFailure, _) => Self::Conflict(
                "Someone else changed this at the same moment. Reload the page and try again."
                    .into(),
            ),
            E::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, _) => {
                tracing::warn!(error = %e, "database connection lost");
                Self::Unavailable(
                    "We're having trouble reaching our database. Please try again in a moment."
                        .into(),
                )
            }
            other => Self::Unexpected(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

/// No connection within the pool's wait (database down, or every connection busy) is a
/// passing condition: the page says so and asks the browser to retry, it is not a 500.
impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        tracing::warn!(error = %e, "no database connection available");
        Self::Unavailable(
            "We're having trouble reaching our database. Please try again in a moment.".into(),
        )
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Unexpected(anyhow::Error::new(e).context("template rendering failed"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Unexpected(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unexpected_errors_never_show_their_cause() {
        let err = AppError::from(anyhow::anyhow!("password=hunter2 relation users"));
        let public = err.public();
        assert_eq!(public.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!public.message.contains("hunter2"));
        assert!(!public.message.contains("users"));
    }

    #[test]
    fn user_facing_errors_keep_their_message() {
        let public = AppError::conflict("This order was already confirmed.").public();
        assert_eq!(public.status, StatusCode::CONFLICT);
        assert_eq!(public.message, "This order was already confirmed.");
    }

    #[test]
    fn constraint_races_are_conflicts_not_500s() {
        use diesel::result::{DatabaseErrorKind as Kind, Error as E};
        for kind in [
            Kind::UniqueViolation,
            Kind::ForeignKeyViolation,
            Kind::SerializationFailure,
        ] {
            let err = AppError::from(E::DatabaseError(kind, Box::new(String::from("detail"))));
            assert_eq!(err.status_code(), StatusCode::CONFLICT, "{kind:?}");
            assert!(!err.public().message.contains("detail"));
        }
        let lost = E::DatabaseError(Kind::ClosedConnection, Box::new(String::from("x")));
        assert_eq!(
            AppError::from(lost).status_code(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn missing_rows_are_not_found() {
        let err = AppError::from(diesel::result::Error::NotFound);
        assert_eq!(err.status_code(), StatusCode::NOT_FOUND);
    }
}
