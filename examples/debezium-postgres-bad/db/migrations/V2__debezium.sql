-- The Debezium connector's login
CREATE ROLE debezium WITH REPLICATION LOGIN PASSWORD 'dbz-orders-2024';
GRANT SELECT ON ALL TABLES IN SCHEMA public TO debezium;

CREATE PUBLICATION dbz_publication FOR TABLE public.orders, public.order_events;
