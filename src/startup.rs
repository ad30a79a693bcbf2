//! The application factory shared by `main` and the tests: same routes, same middleware.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::config::Config;
use crate::db::DbPool;
use crate::web::{AppError, csrf, errors, security, session};

pub struct Application {
    port: u16,
    server: Server,
    clock: crate::clock::Clock,
    hub: crate::live::Hub,
    /// The database the hub listens on, once the server runs.
    listen_on: Option<String>,
}

impl Application {
    /// Binds the listener now (port 0 picks a free one) so callers learn the port before running.
    pub fn build(config: Config, pool: DbPool) -> std::io::Result<Self> {
        let listener = TcpListener::bind((config.host.as_str(), config.port))?;
        Self::from_listener(listener, config, pool)
    }

    /// For callers that bound the socket themselves (tests need the port for `base_url`).
    pub fn from_listener(
        listener: TcpListener,
        config: Config,
        pool: DbPool,
    ) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        let clock = if config.test_clock {
            crate::clock::Clock::settable()
        } else {
            crate::clock::Clock::system()
        };
        let hub = crate::live::Hub::new();
        let listen_on = config.database_url.clone();
        let server = run(listener, config, pool, (clock.clone(), hub.clone()))?;
        Ok(Self {
            port,
            server,
            clock,
            hub,
            listen_on,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The clock the app's rules read (tests set it).
    pub fn clock(&self) -> crate::clock::Clock {
        self.clock.clone()
    }

    /// This instance's end of the live-update channel.
    pub fn hub(&self) -> crate::live::Hub {
        self.hub.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // Started here, inside the runtime the server runs on.
        match self.listen_on {
            Some(url) => self.hub.start(url),
            None => tracing::warn!("no database URL to listen on: pages update only by polling"),
        }
        self.server.await
    }
}

fn run(
    listener: TcpListener,
    config: Config,
    pool: DbPool,
    (clock, hub): (crate::clock::Clock, crate::live::Hub),
) -> std::io::Result<Server> {
    let production = config.is_production();
    let settable = clock.is_settable();
    let clock = web::Data::new(clock);
    let static_dir = config.root_dir.join("static");
    let config = web::Data::new(config);
    let pool = web::Data::new(pool);
    let gateway = web::Data::new(
        crate::payments::gateway::Gateway::from_config(&config)
            .map_err(|e| std::io::Error::other(format!("Stripe client: {e}")))?,
    );
    // The recorder is installed before the first request is counted.
    crate::monitoring::handle();
    let hub = web::Data::new(hub);
    let server = HttpServer::new(move || {
        // Outermost last: headers on every response, then errors rendered with the request id
        // the tracing logger assigned, after Sentry and the logger have seen the original error.
        // The logger is outside Sentry so the request id exists before Sentry's scope does, and
        // a panic's report carries it too.
        App::new()
            .wrap(from_fn(csrf::verify))
            .wrap(from_fn(security::refuse_nul))
            .wrap(session::middleware(&config))
            .wrap(from_fn(crate::telemetry::tag_request))
            .wrap(sentry_actix::Sentry::new())
            .wrap(TracingLogger::default())
            .wrap(from_fn(errors::render_errors))
            .wrap(from_fn(security::no_store))
            .wrap(Compress::default())
            .wrap(security::headers(production))
            // Outermost of all: counts the status the client finally got.
            .wrap(from_fn(crate::monitoring::middleware::record))
            .app_data(config.clone())
            .app_data(pool.clone())
            .app_data(gateway.clone())
            .app_data(clock.clone())
            .app_data(hub.clone())
            .app_data(form_config())
            .app_data(query_config())
            .app_data(multipart_config())
            .service(
                actix_files::Files::new("/static", &static_dir)
                    .use_etag(true)
                    .use_last_modified(true),
            )
            .configure(|cfg| {
                if settable {
                    crate::clock::routes(cfg);
                    crate::monitoring::test_routes(cfg);
                }
                routes(cfg);
            })
    })
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.configure(crate::health::routes)
        .configure(crate::monitoring::scrape::routes)
        .configure(crate::home::routes)
        .configure(crate::accounts::routes)
        .configure(crate::businesses::routes)
        .configure(crate::providers::routes)
        .configure(crate::catalog::routes)
        .configure(crate::availability::routes)
        .configure(crate::discovery::routes)
        .configure(crate::cart::routes)
        .configure(crate::checkout::routes)
        .configure(crate::standing::routes)
        .configure(crate::orders::routes)
        .configure(crate::audit::routes)
        .configure(crate::teams::routes)
        .configure(crate::invoicing::routes)
        .configure(crate::refunds::routes)
        .configure(crate::credits::routes)
        .configure(crate::trust::routes)
        .configure(crate::notifications::routes)
        .configure(crate::live::routes)
        .configure(crate::analytics::routes)
        .configure(crate::cards::routes)
        .configure(crate::payments::routes)
        .configure(crate::connect::routes)
        .configure(crate::payouts::routes)
        .configure(crate::statements::routes)
        .configure(crate::guide::routes)
        .configure(crate::prices::routes)
        .configure(crate::favourites::routes)
        .configure(crate::plans::routes)
        .configure(crate::fee_invoices::routes)
        .configure(crate::exports::routes)
        .configure(crate::admin::routes)
        // The viewer is loaded so a logged-in person's 404 keeps their navigation.
        .default_service(web::to(|_viewer: crate::tenancy::Viewer| async {
            Err::<actix_web::HttpResponse, _>(AppError::NotFound)
        }));
}

fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| {
            AppError::BadRequest(format!("The form could not be read: {err}")).into()
        })
}

fn multipart_config() -> actix_multipart::form::MultipartFormConfig {
    actix_multipart::form::MultipartFormConfig::default()
        .total_limit(csrf::UPLOAD_LIMIT)
        .memory_limit(csrf::UPLOAD_LIMIT)
        .error_handler(|err, _req| {
            AppError::BadRequest(format!("The upload could not be read: {err}")).into()
        })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        AppError::BadRequest(format!("The address has an invalid parameter: {err}")).into()
    })
}
