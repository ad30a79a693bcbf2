//! Data for running and measuring the app: `demo` (a small, realistic marketplace loaded on
//! the first local start) and `scale` (large generated data for benchmarks).

pub mod demo;
pub mod scale;
