DROP TABLE alert_digests;
DROP TABLE webhook_deliveries;
DROP TABLE alert_events;
DROP TABLE alert_rules;
