//! A real SMTP server on loopback that keeps what it receives, for email tests. Plain
//! threads, not tasks: the app's mail transport blocks, and may run on the test's thread.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct SmtpCatcher {
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    /// How many DATA commands to refuse (451) before accepting, to test retries.
    refuse: Arc<AtomicUsize>,
}

impl SmtpCatcher {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("smtp port");
        let port = listener.local_addr().expect("addr").port();
        let catcher = Self {
            port,
            messages: Arc::default(),
            refuse: Arc::default(),
        };
        let c = catcher.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let c = c.clone();
                std::thread::spawn(move || {
                    let _ = c.session(stream);
                });
            }
        });
        catcher
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn refuse_next(&self, n: usize) {
        self.refuse.store(n, Ordering::SeqCst);
    }

    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().expect("lock").clone()
    }

    fn session(&self, stream: TcpStream) -> std::io::Result<()> {
        let mut out = stream.try_clone()?;
        let mut lines = BufReader::new(stream);
        out.write_all(b"220 catcher ESMTP\r\n")?;
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_ascii_uppercase();
            if command.starts_with("EHLO") || command.starts_with("HELO") {
                out.write_all(b"250-catcher\r\n250 8BITMIME\r\n")?;
            } else if command.starts_with("DATA") {
                let refused = self
                    .refuse
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if refused {
                    out.write_all(b"451 4.3.0 try again later\r\n")?;
                    continue;
                }
                out.write_all(b"354 go ahead\r\n")?;
                let mut body = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    body.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                self.messages
                    .lock()
                    .expect("lock")
                    .push(super::decode_quoted_printable(&body));
                out.write_all(b"250 2.0.0 queued\r\n")?;
            } else if command.starts_with("QUIT") {
                out.write_all(b"221 bye\r\n")?;
                return Ok(());
            } else {
                // MAIL FROM, RCPT TO, RSET, NOOP
                out.write_all(b"250 OK\r\n")?;
            }
        }
    }
}
