//! Catalogue CSV: import (every row checked before anything is written) and export
//! (cells a spreadsheet would run as formulas are defused).

use std::collections::HashSet;

use super::model::{Product, ProductInput};
use super::rules;

pub const MAX_ROWS: usize = 5_000;
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
pub const HEADERS: [&str; 11] = [
    "sku",
    "name",
    "description",
    "category",
    "unit",
    "pack_size",
    "price",
    "vat_rate",
    "sold_by_weight",
    "in_stock",
    "active",
];
const REQUIRED: [&str; 6] = ["sku", "name", "category", "unit", "price", "vat_rate"];

/// What is wrong with the file as a whole; nothing row-level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is larger than 2 MB. Split it into smaller files.")]
    TooLarge,
    #[error("The file isn't UTF-8 text. In your spreadsheet, save it as \"CSV UTF-8\".")]
    NotUtf8,
    #[error(
        "The file has {0} rows; the most one import takes is 5,000. Split it into smaller files."
    )]
    TooManyRows(usize),
    #[error("The header row must name these columns: {missing}. Found: {found}.")]
    Headers { missing: String, found: String },
    #[error("The file couldn't be read as CSV: {0}")]
    Malformed(String),
    #[error(
        "The file contains NUL control characters, so it isn't a text CSV. In your spreadsheet, save it as \"CSV UTF-8\"."
    )]
    ControlCharacters,
}

/// One data row with its line number, as typed, and what it parsed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    pub line: usize,
    pub sku: String,
    pub name: String,
    pub result: Result<ProductInput, Vec<String>>,
}

pub fn parse(bytes: &[u8]) -> Result<Vec<RowOutcome>, FileError> {
    if bytes.len() > MAX_BYTES {
        return Err(FileError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUtf8)?;
    if text.contains('\0') {
        return Err(FileError::ControlCharacters);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| FileError::Malformed(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase().replace(' ', "_"))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !headers.iter().any(|h| h == r))
        .collect();
    if !missing.is_empty() {
        return Err(FileError::Headers {
            missing: missing.join(", "),
            found: if headers.is_empty() {
                "nothing".into()
            } else {
                headers.join(", ")
            },
        });
    }
    let column = |name: &str| headers.iter().position(|h| h == name);
    let columns: Vec<Option<usize>> = HEADERS.iter().map(|h| column(h)).collect();

    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| FileError::Malformed(e.to_string()))?;
        if rows.len() >= MAX_ROWS {
            let total = MAX_ROWS
                + 1
                + text
                    .lines()
                    .skip(index + 2)
                    .filter(|l| !l.trim().is_empty())
                    .count();
            return Err(FileError::TooManyRows(total));
        }
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| columns[i].and_then(|c| record.get(c)).unwrap_or("");
        let mut outcome = row(cell);
        if let Ok(input) = &outcome.result {
            if !seen.insert(input.sku.to_ascii_lowercase()) {
                outcome.result = Err(vec![format!(
                    "SKU {} appears more than once in this file.",
                    input.sku
                )]);
            }
        }
        outcome.line = index + 2;
        rows.push(outcome);
    }
    Ok(rows)
}

/// Keeps the value, or records "column: message".
fn check<T>(errors: &mut Vec<String>, label: &str, result: Result<T, &'static str>) -> Option<T> {
    result
        .map_err(|m| errors.push(format!("{label}: {m}")))
        .ok()
}

fn row<'a>(cell: impl Fn(usize) -> &'a str) -> RowOutcome {
    let mut errors = Vec::new();
    let e = &mut errors;
    let sku = check(e, "sku", rules::sku(cell(0)));
    let category = check(e, "category", rules::category(cell(3)));
    let price = check(e, "price", rules::price(cell(6)));
    let vat_rate = check(e, "vat_rate", rules::vat_rate(cell(7)));
    let unit = cell(4).to_owned();
    let fractional = check(
        e,
        "sold_by_weight",
        rules::flag(cell(8), rules::fractional_by_default(&unit)),
    );
    let in_stock = check(e, "in_stock", rules::flag(cell(9), true));
    let active = check(e, "active", rules::flag(cell(10), true));
    let mut text = |label: &str, value: &str, min: usize, max: usize| {
        let count = value.chars().count();
        if count < min {
            errors.push(format!("{label}: required."));
        } else if count > max {
            errors.push(format!("{label}: at most {max} characters."));
        }
        value.to_owned()
    };
    let name = text("name", cell(1), 1, 120);
    let description = text("description", cell(2), 0, 2000);
    let unit = text("unit", &unit, 1, 30);
    let pack_size = text("pack_size", cell(5), 0, 60);
    let result = match (sku, category, price, vat_rate, fractional, in_stock, active) {
        (
            Some(sku),
            Some(category),
            Some(price),
            Some(vat_rate),
            Some(fractional),
            Some(in_stock),
            Some(active),
        ) if errors.is_empty() => Ok(ProductInput {
            sku,
            name,
            description,
            category,
            unit,
            pack_size,
            fractional,
            price,
            vat_rate,
            in_stock,
            active,
        }),
        _ => Err(errors),
    };
    RowOutcome {
        line: 0,
        sku: cell(0).chars().take(40).collect(),
        name: cell(1).chars().take(120).collect(),
        result,
    }
}

pub fn export(products: &[Product]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADERS)?;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    for p in products {
        let price = crate::money::plain(p.price);
        let vat = p.vat_rate.normalize().to_string();
        let cells = [
            p.sku.as_str(),
            &p.name,
            &p.description,
            &p.category,
            &p.unit,
            &p.pack_size,
            &price,
            &vat,
            yes_no(p.fractional),
            yes_no(p.in_stock),
            yes_no(p.active),
        ];
        writer.write_record(
            cells
                .iter()
                .map(|c| rules::neutralise_formula(c).into_owned()),
        )?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "sku,name,description,category,unit,pack_size,price,vat_rate\n\
        VEG-1,Vine tomatoes,Sweet,Fruit & veg,kg,,3.20,0\n\
        DRK-1,Sparkling water,,drinks,case,12 x 1 L,9.60,20%\n";

    #[test]
    fn a_good_file_parses_every_row() {
        let rows = parse(GOOD.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let first = rows[0].result.as_ref().unwrap();
        assert_eq!(
            (first.category.as_str(), first.fractional, first.in_stock),
            ("fruit_veg", true, true)
        );
        assert_eq!(rows[1].line, 3);
        assert!(!rows[1].result.as_ref().unwrap().fractional);
    }

    #[test]
    fn row_errors_name_the_field_and_keep_other_rows() {
        let file = "sku,name,category,unit,price,vat_rate\nA1,Thing,fruit_veg,kg,-2,17.5\nA2,Other,bakery,each,1.00,0\nA1,Dup,bakery,each,1.00,0\n";
        let rows = parse(file.as_bytes()).unwrap();
        let errors = rows[0].result.as_ref().unwrap_err();
        assert!(errors.iter().any(|e| e.starts_with("price:")));
        assert!(errors.iter().any(|e| e.starts_with("vat_rate:")));
        assert!(rows[1].result.is_ok());
        assert!(
            rows[2].result.is_ok(),
            "A1 was invalid, so this A1 is the first good one"
        );
    }

    #[test]
    fn duplicate_skus_in_one_file_are_row_errors() {
        let file = "sku,name,category,unit,price,vat_rate\nA1,One,bakery,each,1,0\na1,Two,bakery,each,1,0\n";
        let rows = parse(file.as_bytes()).unwrap();
        assert!(rows[1].result.as_ref().unwrap_err()[0].contains("more than once"));
    }

    #[test]
    fn file_level_problems_are_one_message() {
        assert_eq!(parse(b""), Err(FileError::Empty));
        assert_eq!(parse(&[0xff, 0xfe, 0x00]), Err(FileError::NotUtf8));
        assert_eq!(
            parse(b"sku,name,category,unit,price,vat_rate\nA1,Mi\0lk,dairy_eggs,l,1,0\n"),
            Err(FileError::ControlCharacters)
        );
        assert!(matches!(
            parse(b"name,price\nx,1\n"),
            Err(FileError::Headers { .. })
        ));
        let mut big = String::from("sku,name,category,unit,price,vat_rate\n");
        for i in 0..50_000 {
            big.push_str(&format!("S{i},N,bakery,each,1,0\n"));
        }
        assert_eq!(parse(big.as_bytes()), Err(FileError::TooManyRows(50_000)));
    }

    #[test]
    fn a_byte_order_mark_and_spaced_headers_are_fine() {
        let file = "\u{feff}SKU, Name ,Category,Unit,Price,VAT Rate\nA1,One,bakery,each,1,0\n";
        assert!(parse(file.as_bytes()).unwrap()[0].result.is_ok());
    }
}
