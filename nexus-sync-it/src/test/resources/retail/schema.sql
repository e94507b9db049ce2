-- A small retail schema, not ContextNexus: a bigint key, a composite key, a self-referencing foreign key,
-- a uuid key with a unique e-mail, and a join table with properties whose one end is the composite key.
CREATE SCHEMA shop;
CREATE TABLE shop.stores (
    store_id      bigint PRIMARY KEY,
    name          text NOT NULL,
    opened_on     date,
    neo4j_node_id text
);
CREATE TABLE shop.categories (
    id        bigint PRIMARY KEY,
    name      text NOT NULL,
    parent_id bigint REFERENCES shop.categories (id) ON DELETE CASCADE
);
CREATE TABLE shop.products (
    store_id      bigint NOT NULL REFERENCES shop.stores ON DELETE CASCADE,
    sku           text NOT NULL,
    name          text NOT NULL,
    price         numeric(10,2) NOT NULL,
    cost          numeric(10,2),
    category_id   bigint REFERENCES shop.categories ON DELETE SET NULL,
    attributes    jsonb,
    tags          text[],
    neo4j_node_id text,
    PRIMARY KEY (store_id, sku)
);
CREATE TABLE shop.customers (
    id          uuid PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    full_name   text,
    profile     jsonb,
    row_version bigint NOT NULL DEFAULT 1
);
CREATE TABLE shop.orders (
    order_no      bigint PRIMARY KEY,
    customer_id   uuid NOT NULL REFERENCES shop.customers ON DELETE CASCADE,
    store_id      bigint NOT NULL REFERENCES shop.stores ON DELETE CASCADE,
    placed_at     timestamptz NOT NULL DEFAULT now(),
    status        text NOT NULL DEFAULT 'open',
    internal_note text
);
CREATE TABLE shop.order_lines (
    order_no   bigint NOT NULL REFERENCES shop.orders ON DELETE CASCADE,
    store_id   bigint NOT NULL,
    sku        text NOT NULL,
    quantity   integer NOT NULL,
    unit_price numeric(10,2) NOT NULL,
    gift       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (order_no, store_id, sku),
    FOREIGN KEY (store_id, sku) REFERENCES shop.products ON DELETE CASCADE ON UPDATE CASCADE
);
