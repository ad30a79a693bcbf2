//! Keeps a hand-written query as a prepared statement on its connection.
//!
//! Diesel never caches `sql_query` statements, because a query built from arbitrary strings
//! could fill the cache without bound. Discovery and compare are built from a handful of fixed
//! fragments with every value bound, so their distinct texts are few (16 and 4), and
//! re-parsing and re-planning them on every request cost 0.1–0.9 ms each, as much as
//! running some of them. Wrap only queries whose text comes from such a fixed set.

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::Untyped;

pub struct Prepared<Q>(pub Q);

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    // No static id: the statement cache keys these by their SQL text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> Query for Prepared<Q> {
    type SqlType = Untyped;
}

impl<Conn, Q> RunQueryDsl<Conn> for Prepared<Q> {}
