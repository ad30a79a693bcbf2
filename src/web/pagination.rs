//! Page numbers from the query string and the links under a list.

use serde::Deserialize;

pub const PER_PAGE: i64 = 25;
/// Deep offsets get slow and are never what a person wants; search instead.
const MAX_PAGE: i64 = 400;
/// The most rows read for a list filtered in Rust after its query.
const MAX_FILTERED: i64 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub fn from_query(raw: Option<&str>) -> Self {
        let page = raw
            .and_then(|p| p.trim().parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_PAGE);
        Self {
            page,
            per_page: PER_PAGE,
        }
    }

    /// Every row up to a ceiling, for lists filtered after the query; the caller pages them.
    pub fn everything() -> Self {
        Self {
            page: 1,
            per_page: MAX_FILTERED,
        }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// Queries fetch one row more than a page to learn whether a next page exists.
    pub fn fetch_limit(self) -> i64 {
        self.per_page + 1
    }
}

/// One page of rows plus whether there are neighbours.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub page: i64,
    pub has_prev: bool,
    pub has_next: bool,
}

impl<T> Paged<T> {
    pub fn new(mut rows: Vec<T>, req: PageRequest) -> Self {
        let has_next = rows.len() as i64 > req.per_page;
        rows.truncate(req.per_page as usize);
        Self {
            rows,
            page: req.page,
            has_prev: req.page > 1,
            has_next,
        }
    }

    pub fn prev_page(&self) -> i64 {
        self.page - 1
    }

    pub fn next_page(&self) -> i64 {
        self.page + 1
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub page: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_clamped_not_trusted() {
        assert_eq!(PageRequest::from_query(None).page, 1);
        assert_eq!(PageRequest::from_query(Some("0")).page, 1);
        assert_eq!(PageRequest::from_query(Some("-5")).page, 1);
        assert_eq!(PageRequest::from_query(Some("abc")).page, 1);
        assert_eq!(PageRequest::from_query(Some("99999999999")).page, MAX_PAGE);
        assert_eq!(PageRequest::from_query(Some("3")).offset(), 2 * PER_PAGE);
    }

    #[test]
    fn an_extra_row_means_there_is_a_next_page() {
        let req = PageRequest {
            page: 2,
            per_page: 2,
        };
        let paged = Paged::new(vec![1, 2, 3], req);
        assert_eq!(paged.rows, vec![1, 2]);
        assert!(paged.has_next && paged.has_prev);
        let last = Paged::new(vec![1], req);
        assert!(!last.has_next);
    }
}
