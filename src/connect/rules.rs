//! What a connected account's state means to the provider and to buyers.

/// What a buyer reads when the provider can't take cards yet.
pub const NOT_YET_MESSAGE: &str = "This provider can't take card payments yet: they are still setting up payouts with Stripe. Pay by bank transfer using the details on the invoice, or try again later.";

/// A connected account as Stripe last described it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountState {
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    pub requirements: Vec<String>,
    pub disabled_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// No account yet.
    NotStarted,
    /// Started; Stripe still needs things, or is checking them.
    InProgress,
    /// Cards and payouts both work.
    Ready,
    /// Stripe has switched something off.
    Restricted,
}

pub fn stage(state: Option<&AccountState>) -> Stage {
    match state {
        None => Stage::NotStarted,
        Some(s) if s.charges_enabled && s.payouts_enabled => Stage::Ready,
        Some(s) if s.details_submitted && s.disabled_reason.is_some() => Stage::Restricted,
        Some(_) => Stage::InProgress,
    }
}

/// Stripe's requirement paths in words a provider understands; unknown ones are shown as
/// Stripe names them, tidied.
pub fn describe_requirement(path: &str) -> String {
    let known = [
        ("external_account", "A bank account for payouts"),
        ("business_profile.url", "Your business website"),
        ("business_profile.mcc", "What your business sells"),
        (
            "business_profile.product_description",
            "A description of what you sell",
        ),
        ("business_type", "Your type of business"),
        ("tos_acceptance.date", "Accepting Stripe's terms"),
        ("tos_acceptance.ip", "Accepting Stripe's terms"),
        ("company.name", "Your company's legal name"),
        ("company.address.line1", "Your company's address"),
        ("company.address.city", "Your company's address"),
        ("company.address.postal_code", "Your company's address"),
        ("company.registration_number", "Your Companies House number"),
        ("company.phone", "Your company's phone number"),
        ("company.tax_id", "Your company's tax reference"),
        (
            "representative.first_name",
            "Details of the person running the account",
        ),
        (
            "representative.last_name",
            "Details of the person running the account",
        ),
        (
            "representative.dob.day",
            "Details of the person running the account",
        ),
        (
            "representative.email",
            "Details of the person running the account",
        ),
        ("individual.verification.document", "An identity document"),
        (
            "representative.verification.document",
            "An identity document",
        ),
    ];
    known
        .iter()
        .find(|(k, _)| *k == path)
        .map(|(_, v)| (*v).to_owned())
        .unwrap_or_else(|| {
            let tidy = path.replace(['.', '_'], " ");
            let mut c = tidy.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
}

/// The distinct things still needed, in Stripe's order.
pub fn still_needed(requirements: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in requirements {
        let d = describe_requirement(r);
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_follow_what_stripe_enabled() {
        assert_eq!(stage(None), Stage::NotStarted);
        let mut s = AccountState::default();
        assert_eq!(stage(Some(&s)), Stage::InProgress);
        s.charges_enabled = true;
        assert_eq!(stage(Some(&s)), Stage::InProgress, "payouts still off");
        s.payouts_enabled = true;
        assert_eq!(stage(Some(&s)), Stage::Ready);
        let restricted = AccountState {
            details_submitted: true,
            disabled_reason: Some("requirements.past_due".into()),
            ..AccountState::default()
        };
        assert_eq!(stage(Some(&restricted)), Stage::Restricted);
    }

    #[test]
    fn requirements_read_as_words_once_each() {
        let needed = still_needed(&[
            "external_account".into(),
            "tos_acceptance.date".into(),
            "tos_acceptance.ip".into(),
            "person_xyz.verification.additional_document".into(),
        ]);
        assert_eq!(
            needed,
            [
                "A bank account for payouts",
                "Accepting Stripe's terms",
                "Person xyz verification additional document"
            ]
        );
    }
}
