//! Account page templates.

use askama::Template;

use super::forms::{AccountForm, BuyerSignupForm, LoginForm, ProviderSignupForm, ResetRequestForm};
use crate::categories::CATEGORIES;
use crate::providers::model::WEEKDAYS;
use crate::web::PageMeta;
use crate::web::forms::FieldErrors;

#[derive(Template)]
#[template(path = "accounts/signup_choice.html")]
pub struct SignupChoicePage {
    pub meta: PageMeta,
}

#[derive(Template)]
#[template(path = "accounts/signup_buyer.html")]
pub struct BuyerSignupPage {
    pub meta: PageMeta,
    pub form: BuyerSignupForm,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "accounts/signup_provider.html")]
pub struct ProviderSignupPage {
    pub meta: PageMeta,
    pub form: ProviderSignupForm,
    pub errors: FieldErrors,
    pub categories: &'static [(&'static str, &'static str)],
    pub weekdays: &'static [(i16, &'static str)],
}

impl ProviderSignupPage {
    pub fn new(meta: PageMeta, form: ProviderSignupForm, errors: FieldErrors) -> Self {
        Self {
            meta,
            form,
            errors,
            categories: CATEGORIES,
            weekdays: &WEEKDAYS,
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
pub struct LoginPage {
    pub meta: PageMeta,
    pub form: LoginForm,
    /// A message about the whole form (wrong password, locked, suspended).
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
pub struct AccountPage {
    pub meta: PageMeta,
    /// Two-step verification is on: sensitive changes ask for a code too.
    pub mfa: bool,
    /// The login email is confirmed.
    pub verified: bool,
    pub form: AccountForm,
    pub errors: FieldErrors,
    pub password_errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "accounts/reset_request.html")]
pub struct ResetRequestPage {
    pub meta: PageMeta,
    pub form: ResetRequestForm,
    pub errors: FieldErrors,
    /// After submitting: the address the link was (maybe) sent to.
    pub sent_to: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/reset_form.html")]
pub struct ResetFormPage {
    pub meta: PageMeta,
    pub token: String,
    pub valid: bool,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "emails/password_reset.txt")]
pub struct ResetEmailText<'a> {
    pub name: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/password_reset.html")]
pub struct ResetEmailHtml<'a> {
    pub name: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/email_changed.txt")]
pub struct EmailChangedText<'a> {
    pub name: &'a str,
    pub new_email: &'a str,
    pub reset_link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/email_changed.html")]
pub struct EmailChangedHtml<'a> {
    pub name: &'a str,
    pub new_email: &'a str,
    pub reset_link: &'a str,
}
