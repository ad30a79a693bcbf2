//! Pure provider rules: URL slugs, invoice prefixes, and whether one may take orders.

/// "Smithfield Meat Co." → "smithfield-meat-co".
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "provider".into()
    } else {
        slug
    }
}

/// Invoice number prefix from the name's initials: "Smithfield Meat Co" → "SMC".
pub fn invoice_prefix(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut prefix: String = words
        .iter()
        .filter_map(|w| w.chars().next())
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    if prefix.len() < 2 {
        prefix = words
            .concat()
            .chars()
            .take(3)
            .collect::<String>()
            .to_ascii_uppercase();
    }
    while prefix.len() < 2 {
        prefix.push('X');
    }
    prefix
}

/// The single check "may this provider receive orders / appear in discovery?" that the
/// catalogue, discovery and ordering code call.
pub fn is_open_for_orders(status: &str) -> bool {
    status == "active"
}

/// What a provider does in trade, for `may_trade`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trade {
    /// Confirm a new order: a new commitment.
    ConfirmOrder,
    /// Schedule, dispatch, deliver an order already confirmed, or reject one.
    FinishOrder,
    /// Create or issue an invoice.
    Invoice,
    /// Take a buyer's payment.
    BePaid,
}

/// The policy for a provider that is not active (suspended by an admin, or not yet approved):
/// it finishes what buyers are already waiting for (confirmed orders go out, a pending order
/// may be rejected so the buyer can order elsewhere), but takes on nothing new: no
/// confirmations, no invoices, and no money until an admin restores it.
pub fn may_trade(status: &str, trade: Trade) -> Result<(), &'static str> {
    if status == "active" || trade == Trade::FinishOrder {
        return Ok(());
    }
    Err(match trade {
        Trade::ConfirmOrder => {
            "This provider's account is suspended, so it can't confirm new orders. Reject the order so the buyer can order elsewhere, or contact Larder support."
        }
        Trade::Invoice => {
            "This provider's account is suspended, so it can't create or issue invoices. Contact Larder support."
        }
        Trade::BePaid | Trade::FinishOrder => {
            "Payments to this provider are paused while its account is under review. Nothing was charged; please try again later or contact Larder support."
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suspended_provider_finishes_orders_but_takes_on_nothing_new() {
        for trade in [
            Trade::ConfirmOrder,
            Trade::FinishOrder,
            Trade::Invoice,
            Trade::BePaid,
        ] {
            assert!(may_trade("active", trade).is_ok());
        }
        for status in ["suspended", "pending"] {
            assert!(may_trade(status, Trade::FinishOrder).is_ok());
            assert!(may_trade(status, Trade::ConfirmOrder).is_err());
            assert!(may_trade(status, Trade::Invoice).is_err());
            assert!(may_trade(status, Trade::BePaid).is_err());
        }
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Smithfield Meat Co."), "smithfield-meat-co");
        assert_eq!(slugify("  Crème & Co — Bakery  "), "cr-me-co-bakery");
        assert_eq!(slugify("<script>"), "script");
        assert_eq!(slugify("!!!"), "provider");
        assert!(slugify(&"a".repeat(200)).len() <= 60);
    }

    #[test]
    fn prefixes_are_two_to_four_capitals() {
        assert_eq!(invoice_prefix("Smithfield Meat Co"), "SMC");
        assert_eq!(invoice_prefix("Borough Market Fruit and Veg Ltd"), "BMFA");
        assert_eq!(invoice_prefix("Oddbins"), "ODD");
        assert_eq!(invoice_prefix("Q"), "QX");
        assert_eq!(invoice_prefix("!!"), "XX");
    }

    #[test]
    fn only_active_providers_take_orders() {
        assert!(is_open_for_orders("active"));
        assert!(!is_open_for_orders("suspended"));
        assert!(!is_open_for_orders("pending"));
    }
}
