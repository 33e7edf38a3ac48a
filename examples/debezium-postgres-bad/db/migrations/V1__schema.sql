CREATE TABLE public.customers (
    id bigint PRIMARY KEY,
    email text NOT NULL
);

CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES public.customers (id),
    total numeric(12, 2) NOT NULL
);

-- no primary key: updates and deletes cannot be replicated with the default replica identity
CREATE TABLE public.order_events (
    order_id bigint NOT NULL,
    event text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
