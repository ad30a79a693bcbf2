// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    audit_log (id) {
        id -> Uuid,
        at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_email -> Nullable<Text>,
        business_id -> Nullable<Uuid>,
        provider_id -> Nullable<Uuid>,
        action -> Text,
        target_type -> Text,
        target_id -> Nullable<Uuid>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    businesses (id) {
        id -> Uuid,
        name -> Text,
        vat_number -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        stripe_customer_id -> Nullable<Text>,
        autopay -> Bool,
    }
}

diesel::table! {
    card_setups (id) {
        id -> Uuid,
        business_id -> Uuid,
        checkout_session_id -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    saved_cards (id) {
        id -> Uuid,
        business_id -> Uuid,
        payment_method_id -> Text,
        brand -> Text,
        last4 -> Text,
        exp_month -> Int4,
        exp_year -> Int4,
        is_default -> Bool,
        added_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    cart_items (id) {
        id -> Uuid,
        cart_id -> Uuid,
        product_id -> Uuid,
        quantity -> Numeric,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    carts (id) {
        id -> Uuid,
        business_id -> Uuid,
        provider_id -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    catalog_imports (id) {
        id -> Uuid,
        provider_id -> Uuid,
        file_name -> Text,
        rows -> Jsonb,
        row_count -> Int4,
        applied_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    delivery_zones (id) {
        id -> Uuid,
        provider_id -> Uuid,
        name -> Text,
        areas -> Array<Nullable<Text>>,
        days -> Array<Nullable<Int2>>,
        min_order_value -> Numeric,
        delivery_charge -> Numeric,
        lead_days -> Int2,
        cutoff -> Time,
        max_orders_per_day -> Nullable<Int4>,
        max_orders_per_window -> Nullable<Int4>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    delivery_windows (id) {
        id -> Uuid,
        zone_id -> Uuid,
        weekday -> Int2,
        starts -> Time,
        ends -> Time,
    }
}

diesel::table! {
    provider_closures (id) {
        id -> Uuid,
        provider_id -> Uuid,
        starts_on -> Date,
        ends_on -> Date,
        message -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    deliveries (id) {
        id -> Uuid,
        order_id -> Uuid,
        status -> Text,
        scheduled_date -> Date,
        window_start -> Nullable<Time>,
        window_end -> Nullable<Time>,
        delivered_at -> Nullable<Timestamptz>,
        received_by -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    invoice_lines (id) {
        id -> Uuid,
        invoice_id -> Uuid,
        position -> Int4,
        kind -> Text,
        description -> Text,
        unit -> Text,
        quantity -> Numeric,
        unit_price -> Numeric,
        vat_rate -> Numeric,
        line_total -> Numeric,
        line_vat -> Numeric,
        fractional -> Bool,
        customer_price -> Bool,
    }
}

diesel::table! {
    invoices (id) {
        id -> Uuid,
        provider_id -> Uuid,
        business_id -> Uuid,
        order_id -> Nullable<Uuid>,
        status -> Text,
        sequence_number -> Nullable<Int4>,
        number -> Nullable<Text>,
        issue_date -> Nullable<Date>,
        due_date -> Nullable<Date>,
        seller_name -> Nullable<Text>,
        seller_address -> Nullable<Text>,
        seller_vat_number -> Nullable<Text>,
        buyer_name -> Nullable<Text>,
        buyer_address -> Nullable<Text>,
        subtotal -> Numeric,
        vat_total -> Numeric,
        total -> Numeric,
        amount_paid -> Numeric,
        void_reason -> Nullable<Text>,
        issued_at -> Nullable<Timestamptz>,
        paid_at -> Nullable<Timestamptz>,
        voided_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        platform_fee -> Numeric,
        platform_fee_vat -> Numeric,
        amount_refunded -> Numeric,
        amount_credited -> Numeric,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        title -> Text,
        body -> Text,
        link -> Text,
        dedup_key -> Text,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    server_errors (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        method -> Text,
        route -> Text,
        status -> Int2,
        request_id -> Text,
    }
}

diesel::table! {
    analytics_events (id) {
        id -> Int8,
        kind -> Text,
        user_id -> Nullable<Uuid>,
        business_id -> Nullable<Uuid>,
        provider_id -> Nullable<Uuid>,
        subject_id -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        kind -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        max_attempts -> Int4,
        run_at -> Timestamptz,
        locked_at -> Nullable<Timestamptz>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        dedup_key -> Nullable<Text>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    locations (id) {
        id -> Uuid,
        business_id -> Uuid,
        label -> Text,
        address_line1 -> Text,
        address_line2 -> Nullable<Text>,
        city -> Text,
        postcode -> Text,
        outcode -> Text,
        delivery_notes -> Nullable<Text>,
        is_default -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        archived_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Uuid,
        email_lower -> Text,
        ip -> Text,
        succeeded -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    buyer_groups (id) {
        id -> Uuid,
        provider_id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    buyer_group_members (group_id, business_id) {
        group_id -> Uuid,
        business_id -> Uuid,
    }
}

diesel::table! {
    customer_prices (id) {
        id -> Uuid,
        provider_id -> Uuid,
        product_id -> Uuid,
        business_id -> Nullable<Uuid>,
        group_id -> Nullable<Uuid>,
        price -> Numeric,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    favourite_providers (business_id, provider_id) {
        business_id -> Uuid,
        provider_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    favourite_products (business_id, product_id) {
        business_id -> Uuid,
        product_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    guide_items (location_id, product_id) {
        location_id -> Uuid,
        product_id -> Uuid,
        business_id -> Uuid,
        par -> Nullable<Numeric>,
        pinned -> Bool,
        hidden -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    email_verifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        email -> Text,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    invites (id) {
        id -> Uuid,
        business_id -> Nullable<Uuid>,
        provider_id -> Nullable<Uuid>,
        email -> Text,
        role -> Text,
        token_hash -> Bytea,
        invited_by -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        accepted_by -> Nullable<Uuid>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    mfa_failures (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    mfa_recovery_codes (id) {
        id -> Uuid,
        user_id -> Uuid,
        code_hash -> Bytea,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    membership_locations (membership_id, location_id) {
        membership_id -> Uuid,
        location_id -> Uuid,
    }
}

diesel::table! {
    memberships (id) {
        id -> Uuid,
        user_id -> Uuid,
        business_id -> Nullable<Uuid>,
        provider_id -> Nullable<Uuid>,
        role -> Text,
        created_at -> Timestamptz,
        order_limit -> Nullable<Numeric>,
        monthly_limit -> Nullable<Numeric>,
    }
}

diesel::table! {
    order_events (id) {
        id -> Uuid,
        order_id -> Uuid,
        status -> Text,
        actor_id -> Nullable<Uuid>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    order_lines (id) {
        id -> Uuid,
        order_id -> Uuid,
        product_id -> Nullable<Uuid>,
        position -> Int4,
        sku -> Text,
        product_name -> Text,
        unit -> Text,
        pack_size -> Text,
        unit_price -> Numeric,
        vat_rate -> Numeric,
        quantity -> Numeric,
        confirmed_quantity -> Nullable<Numeric>,
        line_total -> Numeric,
        line_vat -> Numeric,
        fractional -> Bool,
        customer_price -> Bool,
    }
}

diesel::table! {
    orders (id) {
        id -> Uuid,
        number -> Text,
        business_id -> Uuid,
        location_id -> Uuid,
        provider_id -> Uuid,
        placed_by -> Uuid,
        status -> Text,
        requested_delivery_date -> Date,
        delivery_address -> Text,
        notes -> Text,
        rejection_reason -> Nullable<Text>,
        subtotal -> Numeric,
        vat_total -> Numeric,
        total -> Numeric,
        idempotency_key -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        approved_by -> Nullable<Uuid>,
        delivery_zone_id -> Nullable<Uuid>,
        window_start -> Nullable<Time>,
        window_end -> Nullable<Time>,
        cutoff_at -> Nullable<Timestamptz>,
        delivery_charge -> Numeric,
        standing_order_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    password_reset_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    payments (id) {
        id -> Uuid,
        invoice_id -> Uuid,
        business_id -> Uuid,
        amount -> Numeric,
        currency -> Text,
        gateway -> Text,
        status -> Text,
        checkout_session_id -> Nullable<Text>,
        checkout_url -> Nullable<Text>,
        payment_intent_id -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        method -> Text,
        reference -> Nullable<Text>,
        paid_on -> Nullable<Date>,
        recorded_by -> Nullable<Uuid>,
        destination_account -> Nullable<Text>,
        application_fee -> Numeric,
        payout_id -> Nullable<Uuid>,
        saved_card_id -> Nullable<Uuid>,
        autopay -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    products (id) {
        id -> Uuid,
        provider_id -> Uuid,
        sku -> Text,
        name -> Text,
        description -> Text,
        category -> Text,
        unit -> Text,
        pack_size -> Text,
        fractional -> Bool,
        price -> Numeric,
        vat_rate -> Numeric,
        in_stock -> Bool,
        active -> Bool,
        search_vector -> Nullable<Tsvector>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    provider_invoice_counters (provider_id) {
        provider_id -> Uuid,
        last_number -> Int4,
        last_credit_note -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    providers (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        description -> Text,
        categories -> Array<Nullable<Text>>,
        contact_email -> Text,
        contact_phone -> Nullable<Text>,
        address -> Nullable<Text>,
        vat_number -> Nullable<Text>,
        min_order_value -> Numeric,
        delivery_days -> Array<Nullable<Int2>>,
        delivery_areas -> Array<Nullable<Text>>,
        payment_terms_days -> Int4,
        invoice_prefix -> Text,
        status -> Text,
        search_vector -> Nullable<Tsvector>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        trust_score -> Nullable<Int2>,
        auto_invoice -> Bool,
    }
}

diesel::table! {
    standing_orders (id) {
        id -> Uuid,
        business_id -> Uuid,
        provider_id -> Uuid,
        location_id -> Uuid,
        created_by -> Uuid,
        weekdays -> Array<Nullable<Int2>>,
        every_weeks -> Int2,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        paused_until -> Nullable<Date>,
        window_start -> Nullable<Time>,
        notes -> Text,
        ended_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    standing_order_lines (standing_order_id, product_id) {
        standing_order_id -> Uuid,
        product_id -> Uuid,
        quantity -> Numeric,
    }
}

diesel::table! {
    standing_order_occurrences (id) {
        id -> Uuid,
        standing_order_id -> Uuid,
        delivery_date -> Date,
        outcome -> Text,
        order_id -> Nullable<Uuid>,
        note -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    status_changes (id) {
        id -> Uuid,
        entity_type -> Text,
        entity_id -> Uuid,
        new_status -> Text,
        changed_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    stripe_events (id) {
        id -> Text,
        event_type -> Text,
        payload -> Jsonb,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    throttled_requests (id) {
        id -> Uuid,
        action -> Text,
        client -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    user_sessions (id) {
        id -> Uuid,
        token_hash -> Bytea,
        user_id -> Uuid,
        epoch -> Int4,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        name -> Text,
        account_type -> Text,
        status -> Text,
        session_epoch -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        mfa_secret -> Nullable<Bytea>,
        mfa_pending_secret -> Nullable<Bytea>,
        mfa_enabled_at -> Nullable<Timestamptz>,
        mfa_last_step -> Nullable<Int8>,
        email_verified_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    payout_accounts (provider_id) {
        provider_id -> Uuid,
        stripe_account_id -> Text,
        charges_enabled -> Bool,
        payouts_enabled -> Bool,
        details_submitted -> Bool,
        requirements -> Array<Text>,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        links_issued -> Int4,
    }
}

diesel::table! {
    fee_rules (id) {
        id -> Uuid,
        provider_id -> Nullable<Uuid>,
        percent -> Numeric,
        fixed -> Numeric,
        minimum -> Numeric,
        maximum -> Nullable<Numeric>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        plan_id -> Nullable<Uuid>,
        starts_at -> Timestamptz,
        removes -> Bool,
    }
}

diesel::table! {
    plans (id) {
        id -> Uuid,
        name -> Text,
        monthly_price -> Numeric,
        featured -> Bool,
        is_default -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    provider_plans (id) {
        id -> Uuid,
        provider_id -> Uuid,
        plan_id -> Uuid,
        starts_at -> Timestamptz,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    plan_subscriptions (id) {
        id -> Uuid,
        provider_id -> Uuid,
        plan_id -> Uuid,
        status -> Text,
        checkout_session -> Nullable<Text>,
        stripe_subscription -> Nullable<Text>,
        stripe_customer -> Nullable<Text>,
        period_end -> Nullable<Timestamptz>,
        cancel_at -> Nullable<Timestamptz>,
        grace_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    platform_fee_counter (id) {
        id -> Bool,
        last_number -> Int4,
    }
}

diesel::table! {
    fee_invoices (id) {
        id -> Uuid,
        provider_id -> Uuid,
        month -> Date,
        sequence_number -> Int4,
        number -> Text,
        issue_date -> Date,
        seller_name -> Text,
        seller_address -> Text,
        seller_vat_number -> Text,
        buyer_name -> Text,
        buyer_address -> Nullable<Text>,
        buyer_vat_number -> Nullable<Text>,
        net -> Numeric,
        vat -> Numeric,
        total -> Numeric,
        paid -> Numeric,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    fee_invoice_lines (id) {
        id -> Uuid,
        fee_invoice_id -> Uuid,
        entry_id -> Uuid,
        invoice_id -> Nullable<Uuid>,
        description -> Text,
        occurred_at -> Timestamptz,
        net -> Numeric,
        vat -> Numeric,
    }
}

diesel::table! {
    report_runs (id) {
        id -> Uuid,
        provider_id -> Nullable<Uuid>,
        requested_by -> Nullable<Uuid>,
        kind -> Text,
        format -> Text,
        from_date -> Date,
        to_date -> Date,
        status -> Text,
        done_rows -> Int4,
        total_rows -> Nullable<Int4>,
        content -> Nullable<Text>,
        error -> Nullable<Text>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    journal_daily (day, account) {
        day -> Date,
        account -> Text,
        debits -> Numeric,
        credits -> Numeric,
    }
}

diesel::table! {
    journal_entries (id) {
        id -> Uuid,
        kind -> Text,
        source -> Text,
        invoice_id -> Nullable<Uuid>,
        payment_id -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
        memo -> Text,
        created_at -> Timestamptz,
        refund_id -> Nullable<Uuid>,
        payout_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    refunds (id) {
        id -> Uuid,
        invoice_id -> Uuid,
        payment_id -> Uuid,
        amount -> Numeric,
        fee_refunded -> Numeric,
        fee_vat_refunded -> Numeric,
        reason -> Text,
        status -> Text,
        gateway_refund_id -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        requested_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        payout_id -> Nullable<Uuid>,
        form_key -> Nullable<Uuid>,
        returned_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    reconciliations (day) {
        day -> Date,
        checked_at -> Timestamptz,
        ours_charges -> Numeric,
        stripe_charges -> Numeric,
        ours_refunds -> Numeric,
        stripe_refunds -> Numeric,
        mismatches -> Jsonb,
    }
}

diesel::table! {
    payouts (id) {
        id -> Uuid,
        provider_id -> Uuid,
        stripe_payout_id -> Text,
        amount -> Numeric,
        status -> Text,
        arrival_date -> Date,
        failure_message -> Nullable<Text>,
        matched -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    credit_notes (id) {
        id -> Uuid,
        provider_id -> Uuid,
        business_id -> Uuid,
        invoice_id -> Uuid,
        refund_id -> Nullable<Uuid>,
        sequence_number -> Int4,
        number -> Text,
        reason -> Text,
        issue_date -> Date,
        subtotal -> Numeric,
        vat_total -> Numeric,
        total -> Numeric,
        created_at -> Timestamptz,
        kind -> Text,
    }
}

diesel::table! {
    credit_note_lines (id) {
        id -> Int8,
        credit_note_id -> Uuid,
        vat_rate -> Numeric,
        net -> Numeric,
        vat -> Numeric,
    }
}

diesel::table! {
    journal_lines (id) {
        id -> Int8,
        entry_id -> Uuid,
        account -> Text,
        business_id -> Nullable<Uuid>,
        provider_id -> Nullable<Uuid>,
        amount -> Numeric,
    }
}

diesel::table! {
    order_receipts (order_id) {
        order_id -> Uuid,
        checked_by -> Nullable<Uuid>,
        checked_at -> Timestamptz,
        note -> Text,
    }
}

diesel::table! {
    order_receipt_lines (order_line_id) {
        order_line_id -> Uuid,
        order_id -> Uuid,
        received_quantity -> Numeric,
        damaged -> Bool,
        note -> Text,
    }
}

diesel::table! {
    credit_requests (id) {
        id -> Uuid,
        order_id -> Uuid,
        business_id -> Uuid,
        provider_id -> Uuid,
        status -> Text,
        amount -> Numeric,
        accepted_amount -> Nullable<Numeric>,
        decline_reason -> Nullable<Text>,
        refund_id -> Nullable<Uuid>,
        raised_by -> Nullable<Uuid>,
        answered_by -> Nullable<Uuid>,
        idempotency_key -> Uuid,
        resolution -> Nullable<Text>,
        resolution_note -> Nullable<Text>,
        resolved_amount -> Nullable<Numeric>,
        resolved_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        answered_at -> Nullable<Timestamptz>,
        escalated_at -> Nullable<Timestamptz>,
        resolved_at -> Nullable<Timestamptz>,
        credit_note_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    credit_request_lines (id) {
        id -> Int8,
        request_id -> Uuid,
        order_line_id -> Uuid,
        reason -> Text,
        quantity -> Numeric,
        note -> Text,
        amount -> Numeric,
        accepted -> Nullable<Bool>,
    }
}

diesel::table! {
    order_ratings (order_id) {
        order_id -> Uuid,
        business_id -> Uuid,
        provider_id -> Uuid,
        stars -> Int2,
        comment -> Text,
        rated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        reply -> Nullable<Text>,
        replied_by -> Nullable<Uuid>,
        replied_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    provider_trust (provider_id) {
        provider_id -> Uuid,
        computed_at -> Timestamptz,
        orders -> Int4,
        on_time -> Nullable<Numeric>,
        fill -> Nullable<Numeric>,
        upheld -> Nullable<Numeric>,
        confirm_minutes -> Nullable<Int4>,
        ratings -> Int4,
        rating -> Nullable<Numeric>,
        score -> Nullable<Int2>,
    }
}

diesel::table! {
    credit_request_messages (id) {
        id -> Uuid,
        request_id -> Uuid,
        author_id -> Nullable<Uuid>,
        side -> Text,
        body -> Text,
        idempotency_key -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    credit_request_photos (id) {
        id -> Uuid,
        request_id -> Uuid,
        message_id -> Uuid,
        content_type -> Text,
        size_bytes -> Int4,
        sha256 -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(cart_items -> carts (cart_id));
diesel::joinable!(guide_items -> products (product_id));
diesel::joinable!(customer_prices -> products (product_id));
diesel::joinable!(customer_prices -> businesses (business_id));
diesel::joinable!(customer_prices -> buyer_groups (group_id));
diesel::joinable!(buyer_group_members -> buyer_groups (group_id));
diesel::joinable!(buyer_group_members -> businesses (business_id));
diesel::joinable!(standing_order_lines -> standing_orders (standing_order_id));
diesel::joinable!(standing_order_lines -> products (product_id));
diesel::joinable!(standing_orders -> providers (provider_id));
diesel::joinable!(standing_orders -> locations (location_id));
diesel::joinable!(standing_order_occurrences -> standing_orders (standing_order_id));
diesel::joinable!(delivery_windows -> delivery_zones (zone_id));
diesel::joinable!(delivery_zones -> providers (provider_id));
diesel::joinable!(provider_closures -> providers (provider_id));
diesel::joinable!(cart_items -> products (product_id));
diesel::joinable!(carts -> businesses (business_id));
diesel::joinable!(carts -> providers (provider_id));
diesel::joinable!(catalog_imports -> providers (provider_id));
diesel::joinable!(deliveries -> orders (order_id));
diesel::joinable!(order_receipts -> orders (order_id));
diesel::joinable!(order_ratings -> orders (order_id));
diesel::joinable!(credit_request_messages -> credit_requests (request_id));
diesel::joinable!(credit_request_messages -> users (author_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(credit_request_photos -> credit_request_messages (message_id));
diesel::joinable!(order_ratings -> businesses (business_id));
diesel::joinable!(order_ratings -> providers (provider_id));
diesel::joinable!(provider_trust -> providers (provider_id));
diesel::joinable!(order_receipt_lines -> order_lines (order_line_id));
diesel::joinable!(credit_requests -> orders (order_id));
diesel::joinable!(credit_requests -> businesses (business_id));
diesel::joinable!(credit_requests -> providers (provider_id));
diesel::joinable!(credit_requests -> refunds (refund_id));
diesel::joinable!(credit_request_lines -> credit_requests (request_id));
diesel::joinable!(credit_request_lines -> order_lines (order_line_id));
diesel::joinable!(invoice_lines -> invoices (invoice_id));
diesel::joinable!(invoices -> businesses (business_id));
diesel::joinable!(payout_accounts -> providers (provider_id));
diesel::joinable!(fee_rules -> providers (provider_id));
diesel::joinable!(fee_rules -> plans (plan_id));
diesel::joinable!(report_runs -> providers (provider_id));
diesel::joinable!(fee_invoices -> providers (provider_id));
diesel::joinable!(fee_invoice_lines -> fee_invoices (fee_invoice_id));
diesel::joinable!(fee_invoice_lines -> journal_entries (entry_id));
diesel::joinable!(fee_invoice_lines -> invoices (invoice_id));
diesel::joinable!(provider_plans -> providers (provider_id));
diesel::joinable!(provider_plans -> plans (plan_id));
diesel::joinable!(plan_subscriptions -> providers (provider_id));
diesel::joinable!(plan_subscriptions -> plans (plan_id));
diesel::joinable!(journal_lines -> journal_entries (entry_id));
diesel::joinable!(journal_entries -> invoices (invoice_id));
diesel::joinable!(journal_entries -> refunds (refund_id));
diesel::joinable!(journal_entries -> payments (payment_id));
diesel::joinable!(refunds -> invoices (invoice_id));
diesel::joinable!(payouts -> providers (provider_id));
diesel::joinable!(saved_cards -> businesses (business_id));
diesel::joinable!(card_setups -> businesses (business_id));
diesel::joinable!(payments -> saved_cards (saved_card_id));
diesel::joinable!(refunds -> payments (payment_id));
diesel::joinable!(credit_notes -> invoices (invoice_id));
diesel::joinable!(credit_notes -> refunds (refund_id));
diesel::joinable!(credit_notes -> providers (provider_id));
diesel::joinable!(credit_notes -> businesses (business_id));
diesel::joinable!(credit_note_lines -> credit_notes (credit_note_id));
diesel::joinable!(invoices -> orders (order_id));
diesel::joinable!(invoices -> providers (provider_id));
diesel::joinable!(locations -> businesses (business_id));
diesel::joinable!(email_verifications -> users (user_id));
diesel::joinable!(invites -> businesses (business_id));
diesel::joinable!(invites -> providers (provider_id));
diesel::joinable!(membership_locations -> locations (location_id));
diesel::joinable!(membership_locations -> memberships (membership_id));
diesel::joinable!(memberships -> businesses (business_id));
diesel::joinable!(mfa_failures -> users (user_id));
diesel::joinable!(user_sessions -> users (user_id));
diesel::joinable!(mfa_recovery_codes -> users (user_id));
diesel::joinable!(memberships -> providers (provider_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(order_events -> orders (order_id));
diesel::joinable!(order_events -> users (actor_id));
diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(order_lines -> products (product_id));
diesel::joinable!(orders -> businesses (business_id));
diesel::joinable!(orders -> locations (location_id));
diesel::joinable!(orders -> providers (provider_id));
diesel::joinable!(orders -> users (placed_by));
diesel::joinable!(password_reset_tokens -> users (user_id));
diesel::joinable!(payments -> businesses (business_id));
diesel::joinable!(payments -> users (recorded_by));
diesel::joinable!(payments -> invoices (invoice_id));
diesel::joinable!(products -> providers (provider_id));
diesel::joinable!(provider_invoice_counters -> providers (provider_id));
diesel::joinable!(status_changes -> users (changed_by));

diesel::allow_tables_to_appear_in_same_query!(
    analytics_events,
    audit_log,
    businesses,
    buyer_group_members,
    buyer_groups,
    card_setups,
    cart_items,
    carts,
    catalog_imports,
    credit_note_lines,
    credit_notes,
    credit_request_lines,
    credit_request_messages,
    credit_request_photos,
    credit_requests,
    customer_prices,
    deliveries,
    delivery_windows,
    delivery_zones,
    email_verifications,
    favourite_products,
    favourite_providers,
    fee_invoice_lines,
    fee_invoices,
    fee_rules,
    guide_items,
    invites,
    invoice_lines,
    invoices,
    jobs,
    journal_daily,
    journal_entries,
    journal_lines,
    locations,
    login_attempts,
    membership_locations,
    memberships,
    mfa_failures,
    mfa_recovery_codes,
    notifications,
    order_events,
    order_lines,
    order_ratings,
    order_receipt_lines,
    order_receipts,
    orders,
    password_reset_tokens,
    payments,
    payout_accounts,
    payouts,
    plan_subscriptions,
    plans,
    platform_fee_counter,
    products,
    provider_closures,
    provider_invoice_counters,
    provider_plans,
    provider_trust,
    providers,
    reconciliations,
    refunds,
    report_runs,
    saved_cards,
    server_errors,
    standing_order_lines,
    standing_order_occurrences,
    standing_orders,
    status_changes,
    stripe_events,
    throttled_requests,
    user_sessions,
    users,
);
