//! Response headers every page carries.

use actix_web::middleware::DefaultHeaders;

/// Forms may lead only here, or to Stripe Checkout (Chrome applies form-action to the
/// redirect after "Pay").
/// No inline script anywhere (htmx is configured by a meta tag and loaded from /static),
/// no framing, no sniffing, and a referrer that never leaks paths to other sites.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'";

pub fn headers(production: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"));
    if production {
        headers.add((
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        headers
    }
}
