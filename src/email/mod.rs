//! Outgoing email: rendered when the event happens, sent later by a job. SMTP when
//! `SMTP_URL` is set, otherwise one .eml file per message under `var/mail/`.

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use serde::{Deserialize, Serialize};

use crate::config::Config;

pub const JOB_KIND: &str = "send_email";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Queues an email for the job worker in the caller's transaction, so it is sent only if the
/// change commits. `dedup` names the change: the same change queued twice sends once.
pub fn queue(
    conn: &mut diesel::PgConnection,
    message: &OutgoingEmail,
    dedup: &str,
) -> Result<(), crate::web::AppError> {
    queue_inner(conn, message, Some(dedup))
}

/// For emails that answer a person's request rather than a change (a password reset):
/// each request sends its own.
pub fn queue_undeduplicated(
    conn: &mut diesel::PgConnection,
    message: &OutgoingEmail,
) -> Result<(), crate::web::AppError> {
    queue_inner(conn, message, None)
}

fn queue_inner(
    conn: &mut diesel::PgConnection,
    message: &OutgoingEmail,
    dedup: Option<&str>,
) -> Result<(), crate::web::AppError> {
    crate::jobs::registry::enqueue::<crate::jobs::registry::SendEmail>(conn, message, dedup)
}

pub enum Mailer {
    Smtp {
        transport: SmtpTransport,
        from: Mailbox,
    },
    Files {
        dir: PathBuf,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM is not a valid address: {e}"))?;
        match &config.smtp_url {
            Some(url) => Ok(Self::Smtp {
                transport: SmtpTransport::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is invalid: {e}"))?
                    .build(),
                from,
            }),
            None => Ok(Self::Files {
                dir: config.mail_dir.clone(),
                from,
            }),
        }
    }

    pub fn send(&self, email: &OutgoingEmail) -> anyhow::Result<()> {
        let from = match self {
            Self::Smtp { from, .. } | Self::Files { from, .. } => from.clone(),
        };
        let message = Message::builder()
            .from(from)
            .to(email.to.parse()?)
            .subject(&email.subject)
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))?;
        match self {
            Self::Smtp { transport, .. } => {
                transport.send(&message)?;
            }
            Self::Files { dir, .. } => {
                std::fs::create_dir_all(dir)?;
                FileTransport::new(dir).send(&message)?;
            }
        }
        Ok(())
    }
}

#[derive(askama::Template)]
#[template(path = "emails/notice.txt")]
struct NoticeText<'a> {
    paragraphs: &'a [String],
    link: &'a str,
    link_text: &'a str,
}

#[derive(askama::Template)]
#[template(path = "emails/notice.html")]
struct NoticeHtml<'a> {
    subject: &'a str,
    paragraphs: &'a [String],
    link: &'a str,
    link_text: &'a str,
}

/// A short notice: a few paragraphs and one link, as plain text and HTML.
pub fn notice(
    to: &str,
    subject: &str,
    paragraphs: &[String],
    (link, link_text): (&str, &str),
) -> Result<OutgoingEmail, askama::Error> {
    use askama::Template;
    Ok(OutgoingEmail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text: NoticeText {
            paragraphs,
            link,
            link_text,
        }
        .render()?,
        html: NoticeHtml {
            subject,
            paragraphs,
            link,
            link_text,
        }
        .render()?,
    })
}
