//! Integration tests: the real app over real HTTP against a real, per-test PostgreSQL database.
//! One binary (this file's modules) so it links once.

mod helpers;

mod cli;
mod health;
mod pages;
mod schema;
