//! Password hashing for requests: off the async executor, never while holding a pooled
//! database connection, and only a few at a time.
//!
//! Each argon2id hash takes 19 MiB and a core for tens of milliseconds. Two hundred at once
//! only queue for the CPU while each holds its memory (the process grew to gigabytes) and,
//! when hashed inside a query closure, each held one of the pool's few connections, so other
//! pages waited into 500s. The gate admits one hash per core; the rest wait their turn
//! holding nothing.

use std::sync::OnceLock;

use actix_web::web;
use tokio::sync::Semaphore;

use super::password;
use crate::config::Argon2Cost;
use crate::web::AppError;

fn gate() -> &'static Semaphore {
    static GATE: OnceLock<Semaphore> = OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new(cores)
    })
}

async fn gated<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _permit = gate()
        .acquire()
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("password gate closed: {e}")))?;
    Ok(web::block(work).await?)
}

/// A new password's PHC string.
pub async fn hash(password: String, cost: Argon2Cost) -> Result<String, AppError> {
    gated(move || password::hash(&password, cost))
        .await?
        .map_err(AppError::Unexpected)
}

/// Does `password` match `stored`? With no stored hash (no such account) the same work is
/// done against a dummy, so timing doesn't tell whether an email has an account.
pub async fn verify(
    password: String,
    stored: Option<String>,
    cost: Argon2Cost,
) -> Result<bool, AppError> {
    gated(move || match stored {
        Some(stored) => password::verify(&password, &stored, cost),
        None => {
            password::verify_against_dummy(&password, cost);
            false
        }
    })
    .await
}
