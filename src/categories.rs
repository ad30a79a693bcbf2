//! The fixed list of catalogue categories (slug stored, label shown).

pub const CATEGORIES: &[(&str, &str)] = &[
    ("fruit_veg", "Fruit & veg"),
    ("meat_poultry", "Meat & poultry"),
    ("fish_seafood", "Fish & seafood"),
    ("dairy_eggs", "Dairy & eggs"),
    ("bakery", "Bakery"),
    ("dry_goods", "Dry goods"),
    ("drinks", "Drinks"),
    ("frozen", "Frozen"),
    ("cleaning_disposables", "Cleaning & disposables"),
];

pub fn is_category(slug: &str) -> bool {
    CATEGORIES.iter().any(|(s, _)| *s == slug)
}

pub fn label(slug: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(s, _)| *s == slug)
        .map(|(_, l)| *l)
        .unwrap_or("Other")
}
