//! One instance's end of the channel: a single `LISTEN` connection whose notifications are
//! broadcast to every socket the instance holds. If the connection drops it is made again
//! with backoff, and sockets are told to resync, since whatever was sent in the gap is lost.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{broadcast, watch};
use tokio_postgres::{AsyncMessage, NoTls};

use super::{CHANNEL, Topic};

/// What a socket hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Changed(Topic),
    /// Changes may have been missed: re-read everything shown.
    Resync,
}

/// Signals buffered per socket before a slow one is told to resync instead.
const BACKLOG: usize = 1024;
const FIRST_RETRY: Duration = Duration::from_millis(100);
const LAST_RETRY: Duration = Duration::from_secs(5);
/// A silent TCP connection can be dead without an error; a query every so often finds out.
const KEEPALIVE: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Signal>,
    /// While the listening connection is up, which connection it is (1, 2, … as it is
    /// made again).
    listening: watch::Sender<Option<u64>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(BACKLOG);
        Self {
            tx,
            listening: watch::Sender::new(None),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.tx.subscribe()
    }

    /// Is the listening connection up (so changes reach this instance's sockets)?
    pub fn listening(&self) -> Option<u64> {
        *self.listening.borrow()
    }

    /// Returns once a listening connection newer than `after` is up (`after` 0: any).
    pub async fn until_listening(&self, after: u64) {
        let mut up = self.listening.subscribe();
        // The sender lives as long as `self`, so this cannot fail while we wait.
        let _ = up.wait_for(|l| l.is_some_and(|n| n > after)).await;
    }

    fn set_listening(&self, connection: Option<u64>) {
        self.listening.send_replace(connection);
        metrics::gauge!("live_listener_up").set(if connection.is_some() { 1.0 } else { 0.0 });
    }

    fn send(&self, signal: Signal) {
        // No sockets open is not an error.
        let _ = self.tx.send(signal);
    }

    /// Listens on `database_url` for as long as the process runs.
    pub fn start(&self, database_url: String) {
        let hub = self.clone();
        tokio::spawn(async move {
            let mut retry = FIRST_RETRY;
            let mut connection = 0;
            loop {
                connection += 1;
                match hub.listen(&database_url, connection).await {
                    Ok(()) => tracing::warn!("live updates: the listening connection closed"),
                    Err(e) => tracing::warn!(error = %e, "live updates: listening failed"),
                }
                hub.set_listening(None);
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(LAST_RETRY);
            }
        });
    }

    async fn listen(&self, database_url: &str, number: u64) -> Result<(), tokio_postgres::Error> {
        let (client, mut connection) = tokio_postgres::connect(database_url, NoTls).await?;
        let hub = self.clone();
        // The connection only makes progress while polled; this task polls it and hands on
        // what it hears, until it closes.
        let mut driver = tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                if let AsyncMessage::Notification(n) = message? {
                    if let Some(topic) = Topic::parse(n.payload()) {
                        hub.send(Signal::Changed(topic));
                    }
                }
            }
            Ok::<(), tokio_postgres::Error>(())
        });
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        self.set_listening(Some(number));
        // Anything sent before LISTEN took effect was missed.
        self.send(Signal::Resync);
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        keepalive.tick().await;
        loop {
            tokio::select! {
                ended = &mut driver => {
                    return ended.unwrap_or(Ok(()));
                }
                _ = keepalive.tick() => {
                    if let Err(e) = client.batch_execute("SELECT 1").await {
                        driver.abort();
                        return Err(e);
                    }
                }
            }
        }
    }
}
