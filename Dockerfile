# syntax=docker/dockerfile:1
# Build: dependencies in their own cached layer, then the app.
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src target/release/.fingerprint/larder-* target/release/deps/larder-* target/release/deps/liblarder-*
COPY build.rs diesel.toml ./
COPY migrations migrations
COPY templates templates
COPY src src
RUN cargo build --release --locked --bin larder

# Runtime: Debian slim with libpq, a non-root user, the binary and static files.
# Templates and migrations are compiled into the binary.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin larder
WORKDIR /app
COPY --from=build /src/target/release/larder /usr/local/bin/larder
COPY static static
ENV APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    LARDER_ROOT=/app \
    RUST_LOG=info
USER larder
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--", "larder"]
CMD ["serve"]
