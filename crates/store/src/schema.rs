//! The tables of `migrations/`, in diesel's portable types (the same on SQLite and PostgreSQL).

diesel::table! {
    companies (id) {
        id -> Text,
        timezone -> Text,
        retention_months -> Integer,
        admin_password_hash -> Nullable<Text>,
        last_purge_at -> Nullable<BigInt>,
        last_purge_removed -> Nullable<BigInt>,
        created_at -> BigInt,
        retained_from -> Nullable<Integer>,
        audit_last_seq -> BigInt,
        audit_last_hash -> Nullable<Text>,
    }
}

diesel::table! {
    sites (company_id, code) {
        company_id -> Text,
        code -> Text,
        name -> Text,
        hidden -> Bool,
    }
}

diesel::table! {
    events (company_id, id) {
        company_id -> Text,
        id -> Binary,
        occurred_at -> BigInt,
        month -> Integer,
        feature -> Text,
        outcome -> Text,
        cause -> Nullable<Text>,
        site -> Text,
        user_code -> Text,
        code -> Nullable<Text>,
        detail -> Nullable<Text>,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    monthly_counts (company_id, feature, month, site, outcome, cause) {
        company_id -> Text,
        feature -> Text,
        month -> Integer,
        site -> Text,
        outcome -> Text,
        cause -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    monthly_totals (company_id, feature, month, outcome, cause) {
        company_id -> Text,
        feature -> Text,
        month -> Integer,
        outcome -> Text,
        cause -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    accounts (company_id, user_code) {
        company_id -> Text,
        user_code -> Text,
        password_hash -> Text,
        scopes -> Text,
        created_at -> BigInt,
        password_changed_at -> BigInt,
    }
}

diesel::table! {
    audit_entries (company_id, at, id) {
        company_id -> Text,
        at -> BigInt,
        id -> Binary,
        actor -> Text,
        action -> Text,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        seq -> Nullable<BigInt>,
        hash -> Nullable<Text>,
    }
}

diesel::table! {
    alert_rules (company_id, id) {
        company_id -> Text,
        id -> Binary,
        feature -> Text,
        site -> Nullable<Text>,
        condition -> Text,
        threshold -> Integer,
        window_size -> Integer,
        webhook_url -> Text,
        secret -> Text,
        firing -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    alert_events (company_id, at, id) {
        company_id -> Text,
        at -> BigInt,
        id -> Binary,
        rule_id -> Binary,
        feature -> Text,
        site -> Nullable<Text>,
        condition -> Text,
        threshold -> Integer,
        window_size -> Integer,
        state -> Text,
        uses -> BigInt,
        errors -> BigInt,
        delivery_id -> Nullable<Binary>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Binary,
        company_id -> Text,
        kind -> Text,
        url -> Text,
        body -> Text,
        signature -> Text,
        created_at -> BigInt,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        state -> Text,
        last_error -> Nullable<Text>,
        finished_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    alert_digests (company_id) {
        company_id -> Text,
        webhook_url -> Text,
        secret -> Text,
        last_month -> Integer,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    companies,
    sites,
    events,
    monthly_counts,
    monthly_totals,
    accounts,
    audit_entries,
    alert_rules,
    alert_events,
    webhook_deliveries,
    alert_digests
);
