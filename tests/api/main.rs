//! Integration tests: the real app over real HTTP against a real, per-test PostgreSQL database.
//! One binary (this file's modules) so it links once.

mod helpers;

mod accounts;
mod admin;
mod admin_refunds;
mod approvals;
mod audit;
mod autopay;
mod availability;
mod cards;
mod catalog;
mod cli;
mod connect;
mod credit_unpaid;
mod credits;
mod discovery;
mod disputes;
mod health;
mod hostile;
mod invoicing;
mod ledger;
mod locations;
mod metrics;
mod mfa;
mod notifications;
mod order_actions;
mod ordering;
mod pages;
mod payment_safety;
mod payments;
mod payouts;
mod reconciliation;
mod refunds;
mod reset;
mod route_matrix;
mod schema;
mod seeds;
mod sessions;
mod standing;
mod teams;
mod tenancy;
mod threads;
mod trust;
mod typed_numbers;
mod verify_email;
