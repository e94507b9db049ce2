package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.app.cli.NexusSyncCommand;
import io.nexussync.it.testkit.SyncEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** {@code nexus-sync mapping check FILE} against a live catalog: every problem of a broken file at once, each with FILE:LINE. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MappingCheckIT {
    private SyncEnvironment env;

    @BeforeAll
    void start() throws Exception {
        env = SyncEnvironment.create("mapping_check");
        try (Connection c = env.connect(); Statement st = c.createStatement()) {
            st.execute(RetailMappingIT.resource("retail/schema.sql"));
            st.execute("CREATE TABLE shop.deliveries (id bigint PRIMARY KEY, window_length interval, route integer[][])");
        }
    }

    @AfterAll
    void stop() throws Exception {
        env.close();
    }

    @Test
    void shouldListEveryProblemOfABrokenFileWithItsLine() throws Exception {
        Path file = write("broken-mapping.yaml");

        Result result = run("mapping", "check", file.toString());

        assertThat(result.exit()).isEqualTo(NexusSyncCommand.CONFIG_ERROR);
        String at = file + ":";
        assertThat(result.err()).contains(
                at + "6: node table shop.stores: unknown key 'colour'",
                at + "7: table shop.produkts does not exist (did you mean shop.products?)",
                at + "10: shop.customers: column id and the identity property would both be property id",
                at + "12: shop.customers: key column full_name may be null",
                at + "12: shop.customers: key [full_name] is not unique",
                at + "13: shop.customers has no column nickname",
                at + "15: node table shop.orders: label is 'Order`) DETACH DELETE n //'; it must be letters, digits and _",
                at + "17: shop.deliveries: column window_length: type interval has no graph form",
                at + "17: shop.deliveries: column route: a 2-dimensional array",
                at + "24: relationship table shop.order_lines: to label Warehouse is not the label of any mapped node table",
                at + "21: shop.order_lines: rows are not unique by [store_id, sku]");
        List<String> lines = result.err().lines().toList();
        assertThat(lines.get(lines.size() - 1)).isEqualTo(file + ": 11 problem(s)");
        assertThat(lines).hasSize(12);
    }

    @Test
    void shouldPassTheRetailMapping() throws Exception {
        Result result = run("mapping", "check", write("mapping.yaml").toString());

        assertThat(result.err()).isEmpty();
        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("ok, 5 node table(s), 1 relationship table(s)");
    }

    @Test
    void shouldNoteSyncColumnsSetupWillAddAndRefuseAKeyOfAnInexactType() throws Exception {
        Path file = Files.createTempFile("mapping", ".yaml");
        Files.writeString(file, """
                nodes:
                  - table: shop.stores
                    label: Store
                    key: store_id
                    version: pg_version
                    crossReference: graph_id
                  - table: shop.orders
                    label: Order
                    key: [order_no, placed_at]
                """);

        Result result = run("mapping", "check", file.toString());

        assertThat(result.out()).contains(file + ":5: note: shop.stores: setup will add column pg_version", file + ":6: note: shop.stores: setup will add column graph_id");
        assertThat(result.err()).contains(file + ":9: shop.orders: key column placed_at is timestamp with time zone; a node key must be");
        assertThat(result.exit()).isEqualTo(NexusSyncCommand.CONFIG_ERROR);
    }

    /** init on the retail schema: the composite-key join table, the self reference and the columns without a graph form. */
    @Test
    void shouldInitTheRetailSchemaIntoAMappingThatPassesCheck() throws Exception {
        Path file = Files.createTempFile("retail-init", ".yaml");

        Result init = run("mapping", "init", "--schema", "shop", "--out", file.toString());
        Result check = run("mapping", "check", file.toString());

        assertThat(init.exit()).isZero();
        assertThat(check.err()).isEmpty();
        assertThat(check.out()).contains("ok, 6 node table(s), 1 relationship table(s)");
        io.nexussync.core.mapping.Mapping mapping = io.nexussync.core.mapping.MappingLoader.load(file);
        var lines = mapping.relationship(io.nexussync.core.model.TableId.parse("shop.order_lines")).orElseThrow();
        assertThat(lines.from().label()).isEqualTo("Order");
        assertThat(lines.to().label()).isEqualTo("Product");
        assertThat(lines.to().columns()).containsExactly("store_id", "sku");
        var products = mapping.node(io.nexussync.core.model.TableId.parse("shop.products")).orElseThrow();
        assertThat(products.keyColumns()).containsExactly("store_id", "sku");
        assertThat(products.crossReferenceColumn()).isEqualTo("neo4j_node_id");
        var categories = mapping.node(io.nexussync.core.model.TableId.parse("shop.categories")).orElseThrow();
        assertThat(categories.parentLinks()).singleElement().satisfies(l -> {
            assertThat(l.parentLabel()).isEqualTo("Category");
            assertThat(l.type()).isEqualTo("HAS_CATEGORY");
        });
        assertThat(mapping.node(io.nexussync.core.model.TableId.parse("shop.deliveries")).orElseThrow().pgOnlyColumns())
                .containsExactlyInAnyOrder("window_length", "route");
    }

    private Path write(String resource) throws Exception {
        Path file = Files.createTempFile("mapping", ".yaml");
        Files.writeString(file, RetailMappingIT.resource("retail/" + resource));
        return file;
    }

    record Result(int exit, String out, String err) {}

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var environment = new java.util.HashMap<>(env.environment());
        environment.remove("NEXUS_SYNC_NEO4J_URI");
        int exit = NexusSyncCommand.execute(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
