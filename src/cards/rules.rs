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

/// Auto-pay tries on the due date, then 1, 3 and 5 days after it.
pub const AUTOPAY_DAYS: [i64; 4] = [0, 1, 3, 5];

/// The day auto-pay makes its next try after `failures` failed ones, if it tries again.
pub fn autopay_on(due: Date, failures: usize) -> Option<Date> {
    AUTOPAY_DAYS
        .get(failures)
        .map(|days| due + time::Duration::days(*days))
}

/// Should auto-pay try today? Once its day has come, and never twice on one day.
pub fn autopay_due(due: Date, failures: usize, last_try: Option<Date>, today: Date) -> bool {
    autopay_on(due, failures).is_some_and(|day| day <= today) && last_try != Some(today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn auto_pay_tries_on_the_due_date_then_one_three_and_five_days_later() {
        let due = date!(2026 - 12 - 24);
        assert!(!autopay_due(due, 0, None, date!(2026 - 12 - 23)));
        assert!(autopay_due(due, 0, None, due));
        assert!(
            autopay_due(due, 0, None, date!(2026 - 12 - 30)),
            "a missed day is made up"
        );
        assert!(!autopay_due(due, 1, Some(due), due), "never twice in a day");
        assert!(autopay_due(due, 1, Some(due), date!(2026 - 12 - 25)));
        assert!(!autopay_due(
            due,
            2,
            Some(date!(2026 - 12 - 25)),
            date!(2026 - 12 - 26)
        ));
        assert!(autopay_due(
            due,
            2,
            Some(date!(2026 - 12 - 25)),
            date!(2026 - 12 - 27)
        ));
        assert!(autopay_due(
            due,
            3,
            Some(date!(2026 - 12 - 27)),
            date!(2026 - 12 - 29)
        ));
        assert!(!autopay_due(
            due,
            4,
            Some(date!(2026 - 12 - 29)),
            date!(2027 - 01 - 30)
        ));
        assert_eq!(autopay_on(due, 3), Some(date!(2026 - 12 - 29)));
        assert_eq!(autopay_on(due, 4), None);
    }

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
