//! Larder: a B2B ordering marketplace for hospitality. The binary and the tests both build
//! the app through `startup::Application`.

pub mod config;
pub mod db;
pub mod health;
pub mod home;
pub mod startup;
pub mod telemetry;
pub mod web;
