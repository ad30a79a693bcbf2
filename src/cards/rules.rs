//! Saved cards as pure functions: how a card reads, whether it can still be charged, and
//! what a decline says to the person paying.

use time::Date;

/// "Visa •••• 4242".
pub fn label(brand: &str, last4: &str) -> String {
    let brand = match brand {
        "visa" => "Visa",
        "mastercard" => "Mastercard",
        "amex" => "American Express",
        "discover" => "Discover",
        "diners" => "Diners Club",
        "jcb" => "JCB",
        "unionpay" => "UnionPay",
        _ => "Card",
    };
    format!("{brand} •••• {last4}")
}

/// A card works to the end of its expiry month.
pub fn expired(exp_month: i32, exp_year: i32, today: Date) -> bool {
    let (year, month) = (today.year(), i32::from(u8::from(today.month())));
    (exp_year, exp_month) < (year, month)
}

/// What a card issuer's decline code means for the person at the keyboard.
pub fn decline_message(code: Option<&str>, fallback: Option<&str>) -> String {
    let said = match code {
        Some("insufficient_funds") => "Your card has insufficient funds.",
        Some("expired_card") => "Your card has expired.",
        Some("incorrect_cvc") | Some("invalid_cvc") => "Your card's security code was refused.",
        Some("lost_card") | Some("stolen_card") | Some("pickup_card") => {
            "Your bank has blocked this card. Use another card or contact your bank."
        }
        Some("card_velocity_exceeded") | Some("withdrawal_count_limit_exceeded") => {
            "Your card has reached its spending limit."
        }
        Some("authentication_required") => {
            "Your bank wants to check it's you, so this card can't be charged without you."
        }
        Some("processing_error") => "The card couldn't be charged just now. Try again shortly.",
        _ => {
            return fallback.map_or_else(
                || "Your card was declined.".to_owned(),
                |m| m.trim().to_owned(),
            );
        }
    };
    said.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn cards_read_as_brand_and_last_four() {
        assert_eq!(label("visa", "4242"), "Visa •••• 4242");
        assert_eq!(label("something_new", "0005"), "Card •••• 0005");
    }

    #[test]
    fn a_card_is_good_to_the_end_of_its_expiry_month() {
        let today = date!(2026 - 11 - 24);
        assert!(!expired(11, 2026, today));
        assert!(!expired(1, 2027, today));
        assert!(expired(10, 2026, today));
        assert!(expired(12, 2025, today));
    }

    #[test]
    fn declines_say_why_in_plain_words() {
        assert_eq!(
            decline_message(Some("insufficient_funds"), Some("raw")),
            "Your card has insufficient funds."
        );
        assert_eq!(
            decline_message(Some("do_not_honor"), Some("Your card was declined.")),
            "Your card was declined."
        );
        assert_eq!(decline_message(None, None), "Your card was declined.");
    }
}
