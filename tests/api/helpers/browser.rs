//! One visitor: a cookie jar, and form posts that carry the session's CSRF token like a
//! real page would.

use std::sync::OnceLock;

use regex::Regex;
use reqwest::{Response, StatusCode};

pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    async fn from(res: Response) -> Self {
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().expect("ascii location").to_owned());
        let body = res.text().await.expect("body");
        Self {
            status,
            location,
            body,
        }
    }

    pub fn redirects_to(&self, path: &str) -> bool {
        self.status == StatusCode::SEE_OTHER && self.location.as_deref() == Some(path)
    }

    /// The CSRF token the layout hands to htmx and forms.
    pub fn csrf_token(&self) -> Option<String> {
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| {
            Regex::new(r#"name="csrf_token" value="([0-9a-f]{64})""#).expect("regex")
        });
        re.captures(&self.body).map(|c| c[1].to_owned())
    }
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client builds");
        Self {
            base: base.to_owned(),
            client,
            jar,
        }
    }

    /// The `Cookie` header this visitor would send, for clients other than `client` (a
    /// WebSocket's handshake).
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = reqwest::Url::parse(&self.base).expect("base URL");
        self.jar
            .cookies(&url)
            .map(|v| v.to_str().expect("ascii cookies").to_owned())
            .unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Page {
        Page::from(self.client.get(self.url(path)).send().await.expect("GET")).await
    }

    /// The token a form on `/login` would carry (every page has the same per-session token).
    pub async fn csrf(&self) -> String {
        let page = self.get("/login").await;
        if let Some(t) = page.csrf_token() {
            return t;
        }
        // Logged in, /login redirects home; the account page has a form.
        self.get("/account")
            .await
            .csrf_token()
            .expect("page with a csrf token")
    }

    /// Posts a form with a valid CSRF token, as submitting the page's form would.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("encodable form");
        Page::from(
            self.client
                .post(self.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }
}
