//! The private PostgreSQL cluster used when no `DATABASE_URL` is set: created under
//! `var/pg` from the machine's PostgreSQL binaries, started on loopback, stopped on exit.
//!
//! PostgreSQL refuses to run as root, so as root every server command runs as the
//! `postgres` user. Failures end in one sentence that says what to do.

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const SUPERUSER: &str = "larder";

#[derive(Debug, thiserror::Error)]
pub enum LocalPgError {
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found: install them with `apt-get install postgresql` (as root), set PG_BIN_DIR, or set DATABASE_URL"
    )]
    BinariesMissing,
    #[error(
        "port {0} for the local PostgreSQL is already in use by another program: stop it or set LARDER_PG_PORT to a free port"
    )]
    PortInUse(u16),
    #[error(
        "{pid_file} is stale (PostgreSQL was not shut down cleanly): make sure no PostgreSQL uses {data_dir}, then delete that file and start again"
    )]
    StalePidFile { pid_file: String, data_dir: String },
    #[error("the local PostgreSQL failed to {action}: {detail} (full log: {log})")]
    Command {
        action: &'static str,
        detail: String,
        log: String,
    },
    #[error("cannot prepare {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> LocalPgError + '_ {
    move |source| LocalPgError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A handle on the local cluster. `stop_on_drop` is set only when this process started it,
/// so a second app or a test run never stops a cluster it found running.
pub struct LocalPostgres {
    bin_dir: PathBuf,
    base_dir: PathBuf,
    port: u16,
    password: String,
    as_postgres_user: bool,
    started_here: bool,
}

impl LocalPostgres {
    /// Starts the cluster if needed (creating it on first use) and waits until it answers.
    pub fn ensure_running(root_dir: &Path, port: u16) -> Result<Self, LocalPgError> {
        let bin_dir = find_bin_dir().ok_or(LocalPgError::BinariesMissing)?;
        let as_postgres_user = is_root();
        let base_dir = base_dir(root_dir, as_postgres_user)?;
        // Two processes (the app and a test run) may start at once: serialise on a lock file.
        let _lock = FileLock::acquire(&base_dir.join("start.lock"))?;

        let mut pg = Self {
            bin_dir,
            base_dir,
            port,
            password: String::new(),
            as_postgres_user,
            started_here: false,
        };
        if !pg.data_dir().join("PG_VERSION").exists() {
            pg.init()?;
        }
        pg.password = fs::read_to_string(pg.password_file())
            .map_err(io_err(&pg.password_file()))?
            .trim()
            .to_owned();
        pg.clear_stale_pid_file()?;
        if !pg.is_running() {
            pg.start()?;
            pg.started_here = true;
        }
        pg.wait_until_accepting(Duration::from_secs(30))?;
        Ok(pg)
    }

    /// Handle on the cluster without starting it (for `local-db stop|status`).
    pub fn existing(root_dir: &Path, port: u16) -> Result<Self, LocalPgError> {
        let bin_dir = find_bin_dir().ok_or(LocalPgError::BinariesMissing)?;
        let as_postgres_user = is_root();
        let base_dir = base_dir(root_dir, as_postgres_user)?;
        let password = fs::read_to_string(base_dir.join("password"))
            .unwrap_or_default()
            .trim()
            .to_owned();
        Ok(Self {
            bin_dir,
            base_dir,
            port,
            password,
            as_postgres_user,
            started_here: false,
        })
    }

    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// Leave the cluster running when this handle is dropped.
    pub fn keep_running(&mut self) {
        self.started_here = false;
    }

    pub fn data_dir(&self) -> PathBuf {
        self.base_dir.join("data")
    }

    fn password_file(&self) -> PathBuf {
        self.base_dir.join("password")
    }

    fn log_file(&self) -> PathBuf {
        self.base_dir.join("postgres.log")
    }

    /// Connection URL for a database in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    pub fn is_running(&self) -> bool {
        self.pg_ctl(&["status", "-D", &self.data_dir().to_string_lossy()])
            .map(|out| out.status.success())
            .unwrap_or(false)
    }

    /// After a crash or reboot, `postmaster.pid` may name a PID now used by another program;
    /// PostgreSQL would then refuse to start. A PID that is not a postgres process is stale.
    fn clear_stale_pid_file(&self) -> Result<(), LocalPgError> {
        let pid_file = self.data_dir().join("postmaster.pid");
        let Ok(contents) = fs::read_to_string(&pid_file) else {
            return Ok(());
        };
        let Some(pid) = contents
            .lines()
            .next()
            .and_then(|l| l.trim().parse::<u32>().ok())
        else {
            return Ok(());
        };
        let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim() == "postgres" {
            return Ok(());
        }
        fs::remove_file(&pid_file).map_err(|_| LocalPgError::StalePidFile {
            pid_file: pid_file.display().to_string(),
            data_dir: self.data_dir().display().to_string(),
        })?;
        eprintln!(
            "larder: removed a stale {} (PID {pid} is not PostgreSQL; it was not shut down cleanly)",
            pid_file.display()
        );
        Ok(())
    }

    fn init(&self) -> Result<(), LocalPgError> {
        let password = random_password();
        let pw_file = self.password_file();
        fs::write(&pw_file, &password).map_err(io_err(&pw_file))?;
        fs::set_permissions(&pw_file, fs::Permissions::from_mode(0o600))
            .map_err(io_err(&pw_file))?;
        self.give_to_postgres(&pw_file)?;
        let data = self.data_dir().to_string_lossy().into_owned();
        let pw = pw_file.to_string_lossy().into_owned();
        let out = self.run_pg(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                SUPERUSER,
                "--pwfile",
                &pw,
                "--auth-host=scram-sha-256",
                "--auth-local=peer",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
        )?;
        if !out.status.success() {
            return Err(LocalPgError::Command {
                action: "initialise its data directory",
                detail: last_line(&out),
                log: data,
            });
        }
        Ok(())
    }

    fn start(&self) -> Result<(), LocalPgError> {
        if TcpListener::bind(("127.0.0.1", self.port)).is_err() {
            return Err(LocalPgError::PortInUse(self.port));
        }
        let data = self.data_dir().to_string_lossy().into_owned();
        let log = self.log_file().to_string_lossy().into_owned();
        // Loopback TCP only; no Unix socket, so nothing depends on /var/run permissions.
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200",
            self.port
        );
        let out = self.pg_ctl(&[
            "start", "-w", "-t", "60", "-D", &data, "-l", &log, "-o", &options,
        ])?;
        if out.status.success() {
            return Ok(());
        }
        let log_text = fs::read_to_string(&log).unwrap_or_default();
        if log_text.contains("lock file") && log_text.contains("already exists") {
            return Err(LocalPgError::StalePidFile {
                pid_file: self.data_dir().join("postmaster.pid").display().to_string(),
                data_dir: data,
            });
        }
        Err(LocalPgError::Command {
            action: "start",
            detail: last_log_line(&log_text).unwrap_or_else(|| last_line(&out)),
            log,
        })
    }

    pub fn stop(&self) -> Result<(), LocalPgError> {
        let data = self.data_dir().to_string_lossy().into_owned();
        let out = self.pg_ctl(&["stop", "-w", "-m", "fast", "-D", &data])?;
        if out.status.success() || !self.is_running() {
            Ok(())
        } else {
            Err(LocalPgError::Command {
                action: "stop",
                detail: last_line(&out),
                log: self.log_file().display().to_string(),
            })
        }
    }

    fn wait_until_accepting(&self, limit: Duration) -> Result<(), LocalPgError> {
        let deadline = Instant::now() + limit;
        let bin = self.bin_dir.join("pg_isready");
        loop {
            let ready = Command::new(&bin)
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ready {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(LocalPgError::Command {
                    action: "answer on its port",
                    detail: format!(
                        "port {} gave no answer; if PostgreSQL crashed, delete {}",
                        self.port,
                        self.data_dir().join("postmaster.pid").display()
                    ),
                    log: self.log_file().display().to_string(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<Output, LocalPgError> {
        self.run_pg("pg_ctl", args)
    }

    fn run_pg(&self, program: &str, args: &[&str]) -> Result<Output, LocalPgError> {
        let bin = self.bin_dir.join(program);
        let mut cmd = if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        // The server would inherit our working directory; pick one the postgres user can read.
        cmd.args(args).current_dir(&self.base_dir);
        cmd.output().map_err(|source| LocalPgError::Io {
            path: bin.display().to_string(),
            source,
        })
    }

    fn give_to_postgres(&self, path: &Path) -> Result<(), LocalPgError> {
        if self.as_postgres_user {
            chown_to_postgres(path)?;
        }
        Ok(())
    }
}

impl Drop for LocalPostgres {
    fn drop(&mut self) {
        if self.started_here {
            if let Err(e) = self.stop() {
                eprintln!("{e}");
            }
        }
    }
}

/// Finds `initdb`/`pg_ctl`: `PG_BIN_DIR`, then Debian's versioned directories (newest first),
/// then `PATH`.
fn find_bin_dir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("PG_BIN_DIR").map(PathBuf::from) {
        return has_tools(&dir).then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| has_tools(dir))
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `var/pg` under the project, unless (as root) the postgres user cannot reach it, as when the
/// project lives under /root; then a per-project directory under /var/tmp.
fn base_dir(root_dir: &Path, as_postgres_user: bool) -> Result<PathBuf, LocalPgError> {
    let preferred = root_dir.join("var").join("pg");
    fs::create_dir_all(&preferred).map_err(io_err(&preferred))?;
    if !as_postgres_user {
        return Ok(preferred);
    }
    chown_to_postgres(&preferred)?;
    if postgres_can_write(&preferred) {
        return Ok(preferred);
    }
    let canonical = fs::canonicalize(root_dir).unwrap_or_else(|_| root_dir.to_path_buf());
    let digest = hex::encode(&sha2_digest(canonical.to_string_lossy().as_bytes())[..6]);
    let fallback = PathBuf::from(format!("/var/tmp/larder-{digest}/pg"));
    fs::create_dir_all(&fallback).map_err(io_err(&fallback))?;
    if let Some(parent) = fallback.parent() {
        chown_to_postgres(parent)?;
    }
    chown_to_postgres(&fallback)?;
    Ok(fallback)
}

fn postgres_can_write(dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", "postgres", "--", "test", "-w"])
        .arg(dir)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn chown_to_postgres(path: &Path) -> Result<(), LocalPgError> {
    let status = Command::new("chown")
        .arg("postgres:")
        .arg(path)
        .status()
        .map_err(io_err(path))?;
    if status.success() {
        Ok(())
    } else {
        Err(LocalPgError::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(
                "could not hand it to the postgres user (does that user exist? apt-get install postgresql)",
            ),
        })
    }
}

fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

fn random_password() -> String {
    let bytes: [u8; 24] = rand::random();
    hex::encode(bytes)
}

fn last_line(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    stderr
        .lines()
        .chain(stdout.lines())
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("no output")
        .trim()
        .to_owned()
}

fn last_log_line(log: &str) -> Option<String> {
    log.lines()
        .rfind(|l| l.contains("FATAL") || l.contains("ERROR"))
        .map(|l| l.trim().to_owned())
}

/// An exclusive `flock` held for the life of the value.
struct FileLock(fs::File);

impl FileLock {
    fn acquire(path: &Path) -> Result<Self, LocalPgError> {
        let mut file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io_err(path))?;
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is valid for the life of `file`, which we keep.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            return Err(io_err(path)(std::io::Error::last_os_error()));
        }
        let _ = writeln!(file, "{}", std::process::id());
        Ok(Self(file))
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: as above; unlocking a held lock.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}
