//! The worker side of an export: reads the run's documents a chunk at a time, writes each
//! chunk's progress as it goes (its own small transaction, so the page can show it), and keeps
//! the file when done.

use diesel::PgConnection;
use uuid::Uuid;

use super::queries::{self, Rows};
use super::rules;

/// Documents per chunk: a chunk's queries stay short whatever the run's size.
pub const CHUNK: i64 = 500;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Payload {
    pub run: Uuid,
}

pub struct RunExport;

impl crate::jobs::registry::JobType for RunExport {
    const NAME: &'static str = "run_export";
    type Payload = Payload;
    fn run(
        payload: Self::Payload,
        conn: &mut PgConnection,
        _: &crate::jobs::worker::JobContext,
    ) -> anyhow::Result<()> {
        match build(conn, payload.run) {
            Ok(()) => Ok(()),
            Err(e) => {
                queries::failed(
                    conn,
                    payload.run,
                    "The export couldn't be finished; please ask for it again.",
                )?;
                Err(e)
            }
        }
    }
}

/// Builds the run's file; a run already done is left alone (jobs run at least once).
pub fn build(conn: &mut PgConnection, id: Uuid) -> anyhow::Result<()> {
    let Some(run) = queries::load(conn, id)? else {
        return Ok(());
    };
    if run.status.is_done() {
        return Ok(());
    }
    let total = queries::count(conn, &run)?;
    queries::started(conn, id, i32::try_from(total).unwrap_or(i32::MAX))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(rules::header(run.kind, run.format))?;
    let (mut after, mut done) = (None, 0usize);
    loop {
        let chunk = queries::chunk(conn, &run, after, CHUNK)?;
        match &chunk.rows {
            Rows::Sales(lines) => {
                for l in lines {
                    let cells = rules::sale_row(run.kind, run.format, l);
                    out.write_record(cells.iter().map(rules::Cell::write))?;
                }
            }
            Rows::Payouts(lines) => {
                for p in lines {
                    let cells = rules::payout_row(run.format, p);
                    out.write_record(cells.iter().map(rules::Cell::write))?;
                }
            }
        }
        done += chunk.documents;
        queries::progressed(conn, id, i32::try_from(done).unwrap_or(i32::MAX))?;
        match chunk.last {
            Some(last) if i64::try_from(chunk.documents).unwrap_or(0) == CHUNK => {
                after = Some(last)
            }
            _ => break,
        }
    }
    let body = String::from_utf8(out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    queries::finished(conn, id, &body)?;
    Ok(())
}
