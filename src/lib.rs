//! Larder: a B2B ordering marketplace for hospitality. The binary and the tests both build
//! the app through `startup::Application`.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod availability;
pub mod businesses;
pub mod cart;
pub mod catalog;
pub mod categories;
pub mod checkout;
pub mod clock;
pub mod config;
pub mod connect;
pub mod db;
pub mod discovery;
pub mod email;
pub mod health;
pub mod home;
pub mod ids;
pub mod invoicing;
pub mod jobs;
pub mod ledger;
pub mod money;
pub mod orders;
pub mod payments;
pub mod payouts;
pub mod providers;
pub mod refunds;
pub mod seed;
pub mod standing;
pub mod startup;
pub mod teams;
pub mod telemetry;
pub mod tenancy;
pub mod timefmt;
pub mod web;
