//! Demo data for a first local start: eight London providers with real-looking catalogues,
//! three buyers in different outcodes, and an admin. Loaded through the same queries and CSV
//! parser the app uses, so it can't drift from what the forms accept.

use anyhow::Context;
use diesel::prelude::*;

use crate::accounts::model::AccountType;
use crate::accounts::{password, queries as accounts};
use crate::businesses::model::LocationInput;
use crate::businesses::postcode::Postcode;
use crate::businesses::queries as businesses;
use crate::catalog::{csv_io, queries as catalog};
use crate::config::Argon2Cost;
use crate::ids::ProviderId;
use crate::providers::model::ProviderProfile;
use crate::providers::queries as providers;

pub const PASSWORD: &str = "larder-demo-2026";
const ADMIN_EMAIL: &str = "admin@larder.demo";

struct DemoProvider {
    name: &'static str,
    email: &'static str,
    description: &'static str,
    categories: &'static [&'static str],
    days: &'static [i16],
    areas: &'static str,
    min_order: i64,
    csv: &'static str,
}

const PROVIDERS: [DemoProvider; 8] = [
    DemoProvider {
        name: "Borough Greens",
        email: "orders@boroughgreens.demo",
        description: "Fruit, veg and herbs from Borough Market growers, picked for kitchens the night before.",
        categories: &["fruit_veg"],
        days: &[1, 2, 3, 4, 5, 6],
        areas: "SE1 SE11 SE16 SE17 E1 EC N1 W1 WC",
        min_order: 60,
        csv: include_str!("demo/borough-greens.csv"),
    },
    DemoProvider {
        name: "Smithfield Butchers",
        email: "orders@smithfieldbutchers.demo",
        description: "Dry-aged British beef, rare-breed pork, free-range poultry and game in season.",
        categories: &["meat_poultry"],
        days: &[2, 3, 4, 5, 6],
        areas: "EC E N1 SE1 W1 WC",
        min_order: 100,
        csv: include_str!("demo/smithfield-butchers.csv"),
    },
    DemoProvider {
        name: "Billingsgate Fish",
        email: "orders@billingsgatefish.demo",
        description: "Day-boat fish and shellfish from the market at 4am, filleted to order.",
        categories: &["fish_seafood"],
        days: &[2, 3, 4, 5, 6],
        areas: "E EC SE N1",
        min_order: 80,
        csv: include_str!("demo/billingsgate-fish.csv"),
    },
    DemoProvider {
        name: "Wildfield Dairy",
        email: "orders@wildfielddairy.demo",
        description: "Milk, cream, butter, eggs and British and Italian cheeses.",
        categories: &["dairy_eggs"],
        days: &[1, 3, 5],
        areas: "E N SE SW W EC WC NW",
        min_order: 40,
        csv: include_str!("demo/wildfield-dairy.csv"),
    },
    DemoProvider {
        name: "Bermondsey Bakehouse",
        email: "orders@bermondseybakehouse.demo",
        description: "Sourdough, viennoiserie and cakes, baked overnight and delivered by 7am.",
        categories: &["bakery"],
        days: &[1, 2, 3, 4, 5, 6, 7],
        areas: "SE E1 EC",
        min_order: 25,
        csv: include_str!("demo/bermondsey-bakehouse.csv"),
    },
    DemoProvider {
        name: "Napoli Dry Goods",
        email: "orders@napolidrygoods.demo",
        description: "Italian store cupboard: tomatoes, pasta, oils, flour, and a few freezer staples.",
        categories: &["dry_goods", "frozen"],
        days: &[1, 2, 3, 4, 5],
        areas: "E N SE SW W EC WC NW",
        min_order: 120,
        csv: include_str!("demo/napoli-dry-goods.csv"),
    },
    DemoProvider {
        name: "Thames Drinks",
        email: "orders@thamesdrinks.demo",
        description: "Soft drinks, coffee, tea, beer and wine for bars and cafés.",
        categories: &["drinks"],
        days: &[1, 2, 3, 4, 5],
        areas: "E N SE SW W EC WC NW",
        min_order: 150,
        csv: include_str!("demo/thames-drinks.csv"),
    },
    DemoProvider {
        name: "CleanKit Supplies",
        email: "orders@cleankitsupplies.demo",
        description: "Cleaning chemicals, paper, gloves and compostable takeaway packaging.",
        categories: &["cleaning_disposables"],
        days: &[2, 4],
        areas: "E N SE SW W EC WC NW",
        min_order: 50,
        csv: include_str!("demo/cleankit-supplies.csv"),
    },
];

struct DemoBuyer {
    name: &'static str,
    email: &'static str,
    business: &'static str,
    label: &'static str,
    street: &'static str,
    postcode: &'static str,
}

const BUYERS: [DemoBuyer; 3] = [
    DemoBuyer {
        name: "Ada Cook",
        email: "chef@copperpot.demo",
        business: "The Copper Pot",
        label: "Main kitchen",
        street: "12 Borough High Street",
        postcode: "SE1 9QL",
    },
    DemoBuyer {
        name: "Sam Patel",
        email: "kitchen@hoxtonhotel.demo",
        business: "Hoxton Hotel Kitchen",
        label: "Hotel kitchen",
        street: "81 Great Eastern Street",
        postcode: "EC2A 3HU",
    },
    DemoBuyer {
        name: "Jo Evans",
        email: "orders@canarycafe.demo",
        business: "Canary Café",
        label: "Café",
        street: "1 Canada Square",
        postcode: "E14 5AB",
    },
];

/// One line per demo login, for the console.
pub struct Login {
    pub role: &'static str,
    pub email: &'static str,
    pub detail: String,
}

/// A brand-new database: the only time demo data is loaded without being asked.
/// Every demo buyer has a member in each other role; every provider too.
const BUYER_TEAM: [(&str, &str); 4] = [
    ("manager", "Morgan Manager"),
    ("orderer", "Olu Orderer"),
    ("finance", "Fran Finance"),
    ("viewer", "Vic Viewer"),
];
const PROVIDER_TEAM: [(&str, &str); 3] = [
    ("manager", "Mo Manager"),
    ("staff", "Dee Dispatcher"),
    ("finance", "Fin Finance"),
];
const GROUP_CHEF: &str = "groupchef@larder.demo";

/// "orderer" + "chef@copperpot.demo" → "orderer@copperpot.demo" (the stored `staff` is a
/// dispatcher to people).
fn team_email(role: &str, owner: &str) -> String {
    let domain = owner.split_once('@').map_or(owner, |(_, d)| d);
    let local = if role == "staff" { "dispatcher" } else { role };
    format!("{local}@{domain}")
}

pub fn has_no_users(conn: &mut PgConnection) -> QueryResult<bool> {
    use crate::db::schema::users;
    diesel::select(diesel::dsl::not(diesel::dsl::exists(
        users::table.select(users::id),
    )))
    .get_result(conn)
}

pub fn is_loaded(conn: &mut PgConnection) -> QueryResult<bool> {
    Ok(accounts::find_by_email(conn, ADMIN_EMAIL)?.is_some())
}

/// Loads everything in one transaction; `None` when it was already there.
pub fn load(conn: &mut PgConnection, cost: Argon2Cost) -> anyhow::Result<Option<Vec<Login>>> {
    if is_loaded(conn)? {
        return Ok(None);
    }
    // One hash for every demo account: hashing 12 times at production cost is slow for nothing.
    let hash = password::hash(PASSWORD, cost)?;
    conn.transaction(|conn| {
        let mut logins = Vec::new();
        accounts::insert_user(conn, ADMIN_EMAIL, &hash, "Larder Ops", AccountType::Admin)?;
        logins.push(Login {
            role: "admin",
            email: ADMIN_EMAIL,
            detail: "the admin area".into(),
        });
        for p in &PROVIDERS {
            let id = load_provider(conn, p, &hash)?;
            demo_delivery(conn, id, p)?;
            for (role, who) in PROVIDER_TEAM {
                let email = team_email(role, p.email);
                let user = accounts::insert_user(conn, &email, &hash, who, AccountType::Provider)?;
                accounts::insert_membership(conn, user, None, Some(id.0), role)?;
            }
            logins.push(Login {
                role: "provider",
                email: p.email,
                detail: p.name.into(),
            });
        }
        for b in &BUYERS {
            let user = accounts::insert_user(conn, b.email, &hash, b.name, AccountType::Buyer)?;
            let business = businesses::insert_business(conn, b.business, None)?;
            let postcode = Postcode::parse(b.postcode).context("demo postcode")?;
            logins.push(Login {
                role: "buyer",
                email: b.email,
                detail: format!("{} ({})", b.business, postcode.outcode()),
            });
            businesses::insert_location(
                conn,
                business,
                &LocationInput {
                    label: b.label.into(),
                    address_line1: b.street.into(),
                    address_line2: None,
                    city: "London".into(),
                    postcode,
                    delivery_notes: Some("Deliveries via the side door before 10am.".into()),
                },
            )?;
            accounts::insert_membership(conn, user, Some(business.0), None, "owner")?;
            for (role, who) in BUYER_TEAM {
                let email = team_email(role, b.email);
                let member = accounts::insert_user(conn, &email, &hash, who, AccountType::Buyer)?;
                accounts::insert_membership(conn, member, Some(business.0), None, role)?;
            }
            // A group chef who orders for every demo restaurant: the organisation switcher.
            let group = match accounts::find_by_email(conn, GROUP_CHEF)? {
                Some(u) => crate::ids::UserId(u.id),
                None => {
                    logins.push(Login {
                        role: "buyer",
                        email: GROUP_CHEF,
                        detail: "orderer at every demo buyer (switch under Account)".into(),
                    });
                    accounts::insert_user(conn, GROUP_CHEF, &hash, "Sam Group", AccountType::Buyer)?
                }
            };
            accounts::insert_membership(conn, group, Some(business.0), None, "orderer")?;
        }
        // Demo addresses are confirmed, so the demo logins can order at once.
        diesel::update(crate::db::schema::users::table)
            .set(
                crate::db::schema::users::email_verified_at
                    .eq(Some(time::OffsetDateTime::now_utc())),
            )
            .execute(conn)?;
        logins.push(Login {
            role: "team",
            email: "manager@, orderer@, finance@, viewer@ each buyer's domain",
            detail: "and manager@, dispatcher@, finance@ each provider's".into(),
        });
        Ok(Some(logins))
    })
}

fn load_provider(
    conn: &mut PgConnection,
    p: &DemoProvider,
    hash: &str,
) -> anyhow::Result<ProviderId> {
    let user = accounts::insert_user(
        conn,
        p.email,
        hash,
        &format!("{} team", p.name),
        AccountType::Provider,
    )?;
    let profile = ProviderProfile {
        name: p.name.into(),
        description: p.description.into(),
        categories: p.categories.iter().map(|c| (*c).to_owned()).collect(),
        contact_email: p.email.into(),
        contact_phone: Some("020 7946 0000".into()),
        address: Some(format!("{}, London", p.name)),
        vat_number: Some("GB123456789".into()),
        min_order_value: p.min_order.into(),
        delivery_days: p.days.to_vec(),
        delivery_areas: p.areas.split_whitespace().map(str::to_owned).collect(),
        payment_terms_days: 14,
        auto_invoice: false,
    };
    let provider = providers::insert_provider(conn, &profile)?;
    accounts::insert_membership(conn, user, None, Some(provider.0), "owner")?;
    // Demo providers have finished payout onboarding (with the local stand-in), so their
    // invoices can be paid by card at once.
    diesel::insert_into(crate::db::schema::payout_accounts::table)
        .values((
            crate::db::schema::payout_accounts::provider_id.eq(provider.0),
            crate::db::schema::payout_accounts::stripe_account_id
                .eq(format!("acct_local_{}", provider.0.simple())),
            crate::db::schema::payout_accounts::charges_enabled.eq(true),
            crate::db::schema::payout_accounts::payouts_enabled.eq(true),
            crate::db::schema::payout_accounts::details_submitted.eq(true),
        ))
        .execute(conn)?;
    let rows = csv_io::parse(p.csv.as_bytes())
        .map_err(|e| anyhow::anyhow!("demo catalogue of {}: {e}", p.name))?;
    let products = rows
        .into_iter()
        .map(|r| {
            r.result.map_err(|errors| {
                anyhow::anyhow!(
                    "demo catalogue of {} line {}: {}",
                    p.name,
                    r.line,
                    errors.join("; ")
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    catalog::upsert_many(conn, provider, &products)?;
    Ok(provider)
}

/// Two demo providers show what zones can do: early-morning windows with a late cut-off, and
/// a delivery charge with a day-before cut-off and a daily cap.
fn demo_delivery(
    conn: &mut PgConnection,
    provider: ProviderId,
    p: &DemoProvider,
) -> anyhow::Result<()> {
    use crate::availability::queries::{ZoneInput, save_zone, zones};
    let hm = |h: u8, m: u8| time::Time::from_hms(h, m, 0).unwrap_or(time::Time::MIDNIGHT);
    let Some(zone) = zones(conn, provider)?.into_iter().next() else {
        return Ok(());
    };
    let input = ZoneInput {
        name: zone.name.clone(),
        areas: zone.areas.clone(),
        days: zone.days.clone(),
        min_order_value: zone.min_order_value,
        delivery_charge: zone.delivery_charge,
        lead_days: zone.lead_days,
        cutoff: zone.cutoff,
        max_per_day: None,
        max_per_window: None,
        windows: Vec::new(),
    };
    let input = match p.name {
        "Borough Greens" => ZoneInput {
            lead_days: 1,
            cutoff: hm(22, 0),
            windows: zone
                .days
                .iter()
                .flat_map(|d| [(*d, hm(6, 0), hm(9, 0)), (*d, hm(9, 0), hm(12, 0))])
                .collect(),
            max_per_window: Some(30),
            ..input
        },
        "Smithfield Butchers" => ZoneInput {
            lead_days: 1,
            cutoff: hm(14, 0),
            delivery_charge: rust_decimal::Decimal::new(750, 2),
            max_per_day: Some(40),
            ..input
        },
        _ => return Ok(()),
    };
    save_zone(conn, provider, Some(zone.id), &input)?;
    Ok(())
}
