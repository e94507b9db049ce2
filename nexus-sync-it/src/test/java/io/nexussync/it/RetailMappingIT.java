package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.it.testkit.MappedGraphEquality;
import io.nexussync.it.testkit.MappedGraphEquality.Flatten;
import io.nexussync.it.testkit.MappedGraphEquality.JoinSpec;
import io.nexussync.it.testkit.MappedGraphEquality.LinkSpec;
import io.nexussync.it.testkit.MappedGraphEquality.NodeSpec;
import io.nexussync.it.testkit.SyncEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A second schema, not ContextNexus (src/test/resources/retail), synced by a user mapping file: a bigint
 * key, a composite key, a self-referencing foreign key, a uuid key with a named identity property, a
 * join table with properties whose one end is the composite key, flattened json, renamed and PG-only
 * columns. After inserts, updates (a composite key change cascading into the join table included) and
 * deletes (cascades included), the graph equals what {@link MappedGraphEquality} computes from the rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RetailMappingIT {
    private static final Duration CATCH_UP = Duration.ofSeconds(60);
    static final List<NodeSpec> NODES = List.of(
            new NodeSpec("shop.stores", "Store", List.of("store_id"), "id", Set.of("neo4j_node_id"), Map.of(), List.of(), "neo4j_node_id"),
            new NodeSpec("shop.categories", "Category", List.of("id"), "id", Set.of("parent_id"), Map.of(), List.of(), null),
            new NodeSpec("shop.products", "Product", List.of("store_id", "sku"), "id", Set.of("cost", "category_id", "neo4j_node_id"),
                    Map.of("name", "title"), List.of(new Flatten("attributes", List.of("color", "size", "dims"), "attr")), "neo4j_node_id"),
            new NodeSpec("shop.customers", "Customer", List.of("id"), "customerId", Set.of(), Map.of("email", "emailAddress"), List.of(), null),
            new NodeSpec("shop.orders", "Order", List.of("order_no"), "id", Set.of("internal_note", "customer_id", "store_id"), Map.of(), List.of(), null));
    static final List<LinkSpec> LINKS = List.of(
            new LinkSpec("Category", List.of("parent_id"), "SUBCATEGORY_OF", "Category", false),
            new LinkSpec("Product", List.of("store_id"), "SELLS", "Store", true),
            new LinkSpec("Product", List.of("category_id"), "IN_CATEGORY", "Category", false),
            new LinkSpec("Order", List.of("customer_id"), "PLACED", "Customer", true),
            new LinkSpec("Order", List.of("store_id"), "AT_STORE", "Store", false));
    static final List<JoinSpec> JOINS = List.of(
            new JoinSpec("shop.order_lines", "CONTAINS", "Order", List.of("order_no"), "Product", List.of("store_id", "sku"), Map.of("unit_price", "price")));

    private SyncEnvironment env;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("retail_mapping");
        try (Connection c = env.connect(); Statement st = c.createStatement()) {
            st.execute(resource("retail/schema.sql"));
        }
        Path mapping = Files.createTempFile("retail-mapping", ".yaml");
        Files.writeString(mapping, resource("retail/mapping.yaml"));
        env.environment().put("NEXUS_SYNC_MAPPING", mapping.toString());
        env.setup();
        env.startService();
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    @Order(1)
    void shouldMirrorEveryTableThroughTheUserMapping() throws Exception {
        UUID ann = UUID.randomUUID();
        env.sql("INSERT INTO shop.stores (store_id, name, opened_on) VALUES (7, 'Harbour', '2021-03-04'), (8, 'Hill', NULL)");
        env.sql("INSERT INTO shop.categories (id, name, parent_id) VALUES (1, 'Home', NULL), (2, 'Lamps', 1), (3, 'Desk lamps', 2)");
        env.sql("INSERT INTO shop.products (store_id, sku, name, price, cost, category_id, attributes, tags) VALUES "
                + "(7, 'A-100', 'Desk lamp', 19.90, 8.00, 3, '{\"color\": \"red\", \"dims\": [10, 20.5], \"warranty\": {\"years\": 2}}', '{led,desk}'), "
                + "(7, 'B-200', 'Floor lamp', 49.00, NULL, 2, '{\"size\": \"L\"}', NULL), "
                + "(8, 'A-100', 'Desk lamp', 21.50, 8.00, NULL, NULL, '{}')");
        env.sql("INSERT INTO shop.customers (id, email, full_name, profile) VALUES (?, 'ann@example.org', 'Ann', '{\"tier\": \"gold\", \"b\": 1}')", ann);
        env.sql("INSERT INTO shop.orders (order_no, customer_id, store_id, status, internal_note) VALUES (9001, ?, 7, 'open', 'call first')", ann);
        env.sql("INSERT INTO shop.order_lines (order_no, store_id, sku, quantity, unit_price, gift) VALUES (9001, 7, 'A-100', 2, 19.90, true), (9001, 7, 'B-200', 1, 45.00, false)");
        env.awaitCaughtUp(CATCH_UP);

        Map<String, Object> product = env.cypher("MATCH (p:Product {id: '[\"7\",\"A-100\"]'}) RETURN properties(p) AS p").get(0).get("p").asMap();
        assertThat(product).containsEntry("pgId", "[\"7\",\"A-100\"]").containsEntry("storeId", 7L).containsEntry("sku", "A-100")
                .containsEntry("title", "Desk lamp").containsEntry("price", "19.90").containsEntry("attrColor", "red")
                .containsEntry("attrDims", List.of(10.0, 20.5)).containsEntry("tags", List.of("led", "desk"))
                .doesNotContainKeys("cost", "name", "attributes", "categoryId", "neo4jNodeId", "attrSize");
        assertThat(env.cypher("MATCH (s:Store {id: '7'}) RETURN s.storeId AS n, s.name AS name").get(0).asMap()).containsEntry("n", 7L).containsEntry("name", "Harbour");
        assertThat(env.cypher("MATCH (:Category {id: '3'})-[:SUBCATEGORY_OF]->(:Category {id: '2'})-[:SUBCATEGORY_OF]->(c:Category) RETURN c.name AS n")
                .get(0).get("n").asString()).isEqualTo("Home");
        assertThat(env.cypher("MATCH (c:Customer {customerId: $id})-[:PLACED]->(o:Order {id: '9001'})-[l:CONTAINS]->(p:Product) "
                + "RETURN c.emailAddress AS e, c.rowVersion AS v, o.internalNote AS note, l.quantity AS q, l.price AS price, l.gift AS gift, p.sku AS sku ORDER BY sku",
                Map.of("id", ann.toString())).get(0).asMap())
                .containsEntry("e", "ann@example.org").containsEntry("v", 1L).containsEntry("note", null)
                .containsEntry("q", 2L).containsEntry("price", "19.90").containsEntry("gift", true).containsEntry("sku", "A-100");
        assertThat(env.query("SELECT neo4j_node_id FROM shop.products WHERE store_id = 7 AND sku = 'A-100'").get(0).get("neo4j_node_id")).isNotNull();
        assertEqual();

        // updates: a renamed column, flattened json, a moved link, a version bump, a composite key change that cascades into order_lines
        env.sql("UPDATE shop.products SET name = 'Desk lamp II', attributes = '{\"color\": \"blue\", \"size\": \"S\"}', category_id = 2 WHERE store_id = 7 AND sku = 'A-100'");
        env.sql("UPDATE shop.products SET sku = 'B-201' WHERE store_id = 7 AND sku = 'B-200'");
        env.sql("UPDATE shop.categories SET parent_id = NULL WHERE id = 3");
        env.sql("UPDATE shop.customers SET email = 'ann@example.com', profile = NULL WHERE id = ?", ann);
        env.sql("UPDATE shop.order_lines SET quantity = 5 WHERE order_no = 9001 AND sku = 'A-100'");
        env.sql("UPDATE shop.orders SET status = 'paid', internal_note = 'paid by card' WHERE order_no = 9001");
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.cypher("MATCH (p:Product {id: '[\"7\",\"B-200\"]'}) RETURN p")).isEmpty();
        assertThat(env.cypher("MATCH (:Order {id: '9001'})-[l:CONTAINS]->(:Product {id: '[\"7\",\"B-201\"]'}) RETURN l.quantity AS q").get(0).get("q").asLong()).isEqualTo(1L);
        assertThat(env.cypher("MATCH (c:Customer {customerId: $id}) RETURN c.rowVersion AS v", Map.of("id", ann.toString())).get(0).get("v").asLong()).isEqualTo(2L);
        assertEqual();

        // deletes, cascades included: a store takes its products, orders and their lines; a category takes its subcategories
        env.sql("DELETE FROM shop.order_lines WHERE order_no = 9001 AND sku = 'B-201'");
        env.sql("DELETE FROM shop.categories WHERE id = 1");
        env.sql("DELETE FROM shop.stores WHERE store_id = 7");
        env.awaitCaughtUp(CATCH_UP);
        assertThat(env.cypher("MATCH (n) WHERE n:Product OR n:Order OR n:Category RETURN labels(n)[0] + ' ' + n.id AS n").stream().map(r -> r.get("n").asString()).toList())
                .containsExactlyInAnyOrder("Product [\"8\",\"A-100\"]", "Category 3");
        assertEqual();
    }

    /** Seeded random statements over all six tables (rejected ones included), then the whole graph against the whole database. */
    @Test
    @Order(2)
    void shouldStayEqualUnderSeededRandomChanges() throws Exception {
        long seed = 0x5E7A11L;
        Random random = new Random(seed);
        List<UUID> customers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            customers.add(UUID.nameUUIDFromBytes(("customer-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        String[] skus = {"K-1", "K-2", "K-3", "K-\"4\"", "K,5"};
        String[] colors = {"red", "green", null};
        int applied = 0;
        int[] appliedByKind = new int[16];
        try (Connection c = env.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO shop.stores (store_id, name) SELECT s, 'store ' || s FROM generate_series(20, 22) s");
                st.execute("INSERT INTO shop.categories (id, name) SELECT s, 'category ' || s FROM generate_series(30, 34) s");
            }
            for (int i = 0; i < 400; i++) {
                long store = 20 + random.nextInt(3);
                String sku = skus[random.nextInt(skus.length)];
                long category = 30 + random.nextInt(5);
                long order = 40 + random.nextInt(6);
                UUID customer = customers.get(random.nextInt(customers.size()));
                String color = colors[random.nextInt(colors.length)];
                String attributes = random.nextInt(4) == 0 ? null
                        : "{\"color\": " + (color == null ? "null" : "\"" + color + "\"") + ", \"dims\": [" + random.nextInt(9) + ", " + random.nextInt(9) + "], \"size\": " + random.nextInt(50) + "}";
                int kind = random.nextInt(16);
                String sql = switch (kind) {
                    case 0 -> "INSERT INTO shop.stores (store_id, name) VALUES (" + store + ", 'store " + i + "')";
                    case 1 -> "UPDATE shop.stores SET name = 'renamed " + i + "', opened_on = DATE '2020-01-01' + " + i + " WHERE store_id = " + store;
                    case 2 -> random.nextInt(4) == 0 ? "DELETE FROM shop.stores WHERE store_id = " + store
                            : "UPDATE shop.stores SET name = name || '.' WHERE store_id = " + store;
                    case 3 -> "INSERT INTO shop.categories (id, name, parent_id) VALUES (" + category + ", 'cat " + i + "', "
                            + (random.nextBoolean() ? "NULL" : String.valueOf(30 + random.nextInt(5))) + ")";
                    case 4 -> "UPDATE shop.categories SET parent_id = " + (random.nextBoolean() ? "NULL" : String.valueOf(30 + random.nextInt(5))) + " WHERE id = " + category;
                    case 5 -> "DELETE FROM shop.categories WHERE id = " + category;
                    case 6, 7 -> "INSERT INTO shop.products (store_id, sku, name, price, category_id, attributes, tags) VALUES (" + store + ", " + literal(sku)
                            + ", 'p " + i + "', " + random.nextInt(10000) / 100.0 + ", " + (random.nextInt(3) == 0 ? "NULL" : String.valueOf(category)) + ", " + (attributes == null ? "NULL" : literal(attributes))
                            + ", '{a,b}')";
                    case 8 -> "UPDATE shop.products SET price = price + 1, attributes = " + (attributes == null ? "NULL" : literal(attributes))
                            + ", category_id = " + category + " WHERE store_id = " + store + " AND sku = " + literal(sku);
                    case 9 -> "UPDATE shop.products SET sku = " + literal(skus[random.nextInt(skus.length)]) + " WHERE store_id = " + store + " AND sku = " + literal(sku);
                    case 10 -> "DELETE FROM shop.products WHERE store_id = " + store + " AND sku = " + literal(sku);
                    case 11 -> "INSERT INTO shop.customers (id, email, full_name) VALUES ('" + customer + "', '" + customer + "@example.org', 'c " + i + "') "
                            + "ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name";
                    case 12 -> "INSERT INTO shop.orders (order_no, customer_id, store_id, internal_note) VALUES (" + order + ", '" + customer + "', " + store + ", 'n')";
                    case 13 -> "UPDATE shop.orders SET status = 'paid', store_id = " + store + " WHERE order_no = " + order;
                    case 14 -> "INSERT INTO shop.order_lines (order_no, store_id, sku, quantity, unit_price) VALUES (" + order + ", " + store + ", "
                            + literal(sku) + ", " + (1 + random.nextInt(5)) + ", 3.5) ON CONFLICT (order_no, store_id, sku) DO UPDATE SET quantity = order_lines.quantity + 1";
                    default -> random.nextBoolean() ? "DELETE FROM shop.order_lines WHERE order_no = " + order
                            : "DELETE FROM shop.orders WHERE order_no = " + order;
                };
                try (Statement st = c.createStatement()) {
                    if (st.executeUpdate(sql) > 0) {
                        applied++;
                        appliedByKind[kind]++;
                    }
                } catch (SQLException rejected) {
                    // a foreign key or a duplicate key said no: PostgreSQL never logged it
                }
            }
        }
        env.awaitCaughtUp(CATCH_UP);
        assertThat(applied).as("statements that changed rows, seed %d", seed).isGreaterThan(100);
        assertThat(appliedByKind).as("every kind of change happened (seed %d): %s", seed, java.util.Arrays.toString(appliedByKind)).doesNotContain(0);
        assertThat(env.query("SELECT count(*) AS n FROM shop.products").get(0).get("n")).as("seed %d", seed).isNotEqualTo(0L);
        assertEqual();
    }

    private void assertEqual() throws SQLException {
        try (Connection c = env.connect()) {
            assertThat(new MappedGraphEquality(c, env.driver()).discrepancies(NODES, LINKS, JOINS)).isEmpty();
        }
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    static String resource(String name) throws java.io.IOException {
        try (var in = Objects.requireNonNull(RetailMappingIT.class.getClassLoader().getResourceAsStream(name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
