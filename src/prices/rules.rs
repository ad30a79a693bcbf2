//! Customer price rules: the fields of a price as typed, when it applies, and the CSV that
//! carries many at once (checked whole before anything is written).

use std::collections::HashMap;

use rust_decimal::Decimal;
use time::Date;

use crate::catalog::rules::neutralise_formula;

pub const MAX_ROWS: usize = 5_000;
pub const MAX_BYTES: usize = 1024 * 1024;
pub const HEADERS: [&str; 6] = ["sku", "customer", "group", "price", "starts_on", "ends_on"];

/// A date as typed, "2026-12-01"; blank is `None`.
pub fn date(raw: &str) -> Result<Option<Date>, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Date::parse(raw, &time::format_description::well_known::Iso8601::DATE)
        .map(Some)
        .map_err(|_| "Enter a date like 2026-12-01.")
}

/// The start (blank: `today`) and optional end; an end before the start is refused.
pub fn period(starts: &str, ends: &str, today: Date) -> Result<(Date, Option<Date>), String> {
    let starts_on = date(starts)
        .map_err(|e| format!("Start: {e}"))?
        .unwrap_or(today);
    let ends_on = date(ends).map_err(|e| format!("End: {e}"))?;
    if ends_on.is_some_and(|e| e < starts_on) {
        return Err("The end date is before the start date.".into());
    }
    Ok((starts_on, ends_on))
}

/// "Active", "From 1 Dec 2026" or "Ended 30 Nov 2026", on `today`.
pub fn state(starts_on: Date, ends_on: Option<Date>, today: Date) -> String {
    if starts_on > today {
        format!("From {}", crate::timefmt::date(starts_on))
    } else if let Some(end) = ends_on.filter(|e| *e < today) {
        format!("Ended {}", crate::timefmt::date(end))
    } else {
        "Active".into()
    }
}

/// One CSV row as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub sku: String,
    pub customer: String,
    pub group: String,
    pub price: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// The rows of a customer-price CSV, or what is wrong with the file as a whole.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<Row>, String> {
    if bytes.len() > MAX_BYTES {
        return Err("The file is larger than 1 MB. Split it into smaller files.".into());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "The file isn't UTF-8 text. Save it as \"CSV UTF-8\".".to_owned())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() || text.contains('\0') {
        return Err("The file is empty or isn't a text CSV.".into());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("The file couldn't be read as CSV: {e}"))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = HEADERS
        .iter()
        .filter(|h| !headers.iter().any(|x| x == *h))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "The header row must name these columns: {}.",
            missing.join(", ")
        ));
    }
    let at = |name: &str| headers.iter().position(|h| h == name);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("The file couldn't be read as CSV: {e}"))?;
        if rows.len() >= MAX_ROWS {
            return Err("The file has more than 5,000 rows. Split it into smaller files.".into());
        }
        let cell = |name: &str| {
            at(name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .chars()
                .take(200)
                .collect::<String>()
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows.push(Row {
            line: i + 2,
            sku: cell("sku"),
            customer: cell("customer"),
            group: cell("group"),
            price: cell("price"),
            starts_on: cell("starts_on"),
            ends_on: cell("ends_on"),
        });
    }
    Ok(rows)
}

/// Who a row's price is for, by the names the provider sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buyer {
    Business(uuid::Uuid),
    Group(uuid::Uuid),
}

/// A row that resolved: product, buyer, price and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub product: uuid::Uuid,
    pub buyer: Buyer,
    pub price: Decimal,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

/// What the import knows: the provider's SKUs, customers and groups, by lower-case name.
pub struct Known {
    pub skus: HashMap<String, uuid::Uuid>,
    pub customers: HashMap<String, Vec<uuid::Uuid>>,
    pub groups: HashMap<String, uuid::Uuid>,
}

/// Every row resolved, or each bad row's line and reasons; nothing is half-imported.
pub fn resolve(
    rows: &[Row],
    known: &Known,
    today: Date,
) -> Result<Vec<Resolved>, Vec<(usize, String)>> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for row in rows {
        let mut why = Vec::new();
        let product = known.skus.get(&row.sku).copied();
        if product.is_none() {
            why.push(format!("no listed product has SKU “{}”", row.sku));
        }
        let buyer = match (row.customer.is_empty(), row.group.is_empty()) {
            (false, true) => match known.customers.get(&row.customer.to_lowercase()) {
                Some(ids) if ids.len() == 1 => Some(Buyer::Business(ids[0])),
                Some(_) => {
                    why.push(format!(
                        "two of your customers are called “{}”: set this one on the page",
                        row.customer
                    ));
                    None
                }
                None => {
                    why.push(format!("“{}” isn't one of your customers", row.customer));
                    None
                }
            },
            (true, false) => match known.groups.get(&row.group.to_lowercase()) {
                Some(id) => Some(Buyer::Group(*id)),
                None => {
                    why.push(format!("you have no group called “{}”", row.group));
                    None
                }
            },
            _ => {
                why.push("fill in exactly one of customer and group".into());
                None
            }
        };
        let price = crate::catalog::rules::price(&row.price)
            .map_err(|e| why.push(format!("price: {e}")))
            .ok();
        let period = period(&row.starts_on, &row.ends_on, today)
            .map_err(|e| why.push(e))
            .ok();
        match (product, buyer, price, period) {
            (Some(product), Some(buyer), Some(price), Some((starts_on, ends_on))) => {
                good.push(Resolved {
                    product,
                    buyer,
                    price,
                    starts_on,
                    ends_on,
                });
            }
            _ => bad.push((row.line, why.join("; "))),
        }
    }
    if bad.is_empty() { Ok(good) } else { Err(bad) }
}

/// The export: one row per price, in the import's columns, formula-safe.
pub fn export(rows: &[crate::prices::queries::PriceRow]) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADERS)?;
    for r in rows {
        out.write_record([
            neutralise_formula(&r.sku).as_ref(),
            neutralise_formula(r.business.as_deref().unwrap_or("")).as_ref(),
            neutralise_formula(r.group.as_deref().unwrap_or("")).as_ref(),
            &crate::money::plain(r.price),
            &r.starts_on.to_string(),
            &r.ends_on.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_period_starts_today_unless_typed_and_never_ends_before_it_starts() {
        let today = date!(2026 - 11 - 25);
        assert_eq!(period("", "", today), Ok((today, None)));
        assert_eq!(
            period("2026-12-01", "2026-12-31", today),
            Ok((date!(2026 - 12 - 01), Some(date!(2026 - 12 - 31))))
        );
        assert!(period("2026-12-01", "2026-11-30", today).is_err());
        assert!(
            period("1/12/2026", "", today)
                .unwrap_err()
                .starts_with("Start:")
        );
        assert!(period("", "soon", today).unwrap_err().starts_with("End:"));
    }

    #[test]
    fn the_state_says_whether_a_price_applies_today() {
        let today = date!(2026 - 11 - 25);
        assert_eq!(state(today, None, today), "Active");
        assert_eq!(state(today, Some(today), today), "Active");
        assert!(state(date!(2026 - 12 - 01), None, today).starts_with("From "));
        assert!(
            state(date!(2026 - 11 - 01), Some(date!(2026 - 11 - 24)), today).starts_with("Ended ")
        );
    }

    fn known() -> Known {
        let id = |n: u128| uuid::Uuid::from_u128(n);
        Known {
            skus: HashMap::from([("CR-1".to_owned(), id(1))]),
            customers: HashMap::from([
                ("ada's bistro".to_owned(), vec![id(2)]),
                ("twin".to_owned(), vec![id(3), id(4)]),
            ]),
            groups: HashMap::from([("trade".to_owned(), id(5))]),
        }
    }

    #[test]
    fn a_csv_resolves_whole_or_says_which_lines_are_wrong() {
        let today = date!(2026 - 11 - 25);
        let csv = "sku,customer,group,price,starts_on,ends_on\nCR-1,Ada's Bistro,,4.80,,\nCR-1,,Trade,\"5,10\",2026-12-01,2026-12-31\n";
        let rows = parse_csv(csv.as_bytes()).unwrap();
        let got = resolve(&rows, &known(), today).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].buyer, Buyer::Business(uuid::Uuid::from_u128(2)));
        assert_eq!(got[0].price, Decimal::new(480, 2));
        assert_eq!(got[1].price, Decimal::new(510, 2));
        assert_eq!(got[1].starts_on, date!(2026 - 12 - 01));

        let bad = "sku,customer,group,price,starts_on,ends_on\nNOPE,Ada's Bistro,,4.80,,\nCR-1,Twin,,1,,\nCR-1,Ada's Bistro,Trade,1,,\nCR-1,Ada's Bistro,,-1,,\n";
        let errors = resolve(&parse_csv(bad.as_bytes()).unwrap(), &known(), today).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 4, 5]);
        assert!(errors[0].1.contains("NOPE"));
        assert!(errors[1].1.contains("two of your customers"));
        assert!(errors[2].1.contains("exactly one"));
        assert!(errors[3].1.contains("price"));
        assert!(
            parse_csv(b"sku,price\nCR-1,1\n")
                .unwrap_err()
                .contains("customer")
        );
        assert!(parse_csv(b"").is_err());
    }
}
