package io.nexussync.core.plan;

import io.nexussync.core.mapping.Lane;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingDocument;
import io.nexussync.core.mapping.MappingException;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.mapping.MappingProblem;
import io.nexussync.core.mapping.NodeIdentity;
import io.nexussync.core.mapping.NodeMapping;
import io.nexussync.core.mapping.ParentLink;
import io.nexussync.core.mapping.RelationshipMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexussync.core.error.SyncException;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unconvertible;
import io.nexussync.core.plan.GraphStep.DeleteNodes;
import io.nexussync.core.plan.GraphStep.LinkParents;
import io.nexussync.core.plan.GraphStep.NodeRow;
import io.nexussync.core.plan.GraphStep.ParentRow;
import io.nexussync.core.plan.GraphStep.UpsertNodes;
import io.nexussync.core.plan.GraphStep.UpsertRelationships;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** User mappings: composite and non-uuid keys, renamed properties, flattened json, links and join tables on composite keys. */
class UserMappingTest {
    private static final Instant COMMITTED = Instant.parse("2025-01-01T00:00:00Z");
    static final String RETAIL = """
            name: retail
            nodes:
              - table: shop.products
                label: Product
                key: [store_id, sku]
                crossReference: neo4j_node_id
                pgOnly: [cost]
                properties: {name: title}
                json:
                  attributes: {store: flatten, keys: [color, size_label, dims], prefix: attr}
                lanes: {price: critical}
                insertLane: high
                links:
                  - {columns: [store_id], type: SELLS, label: Store, direction: incoming}
                  - {column: category_id, type: IN_CATEGORY, label: Category, direction: outgoing}
              - table: shop.stores
                label: Store
                key: store_id
              - table: shop.categories
                label: Category
                key: id
                idProperty: key
                links:
                  - {column: parent_id, type: SUBCATEGORY_OF, label: Category, direction: outgoing}
            relationships:
              - table: shop.order_lines
                type: CONTAINS
                from: {label: Store, column: order_store}
                to: {label: Product, columns: [store_id, sku]}
                properties: {unit_price: price}
            """;
    private static final TableId PRODUCTS = TableId.parse("shop.products");
    private static final TableId CATEGORIES = TableId.parse("shop.categories");
    private static final TableId ORDER_LINES = TableId.parse("shop.order_lines");

    private final Mapping mapping = parse(RETAIL);
    private final GraphPlanner planner = new GraphPlanner(mapping);

    @Test
    void shouldEncodeCompositeKeyAsJsonArrayOfTextFormsAndDecodeItBack() {
        assertThat(NodeIdentity.encode(List.of("42"))).isEqualTo("42");
        assertThat(NodeIdentity.encode(List.of("7", "A-100"))).isEqualTo("[\"7\",\"A-100\"]");
        assertThat(NodeIdentity.encode(List.of("a\",\"b", "c"))).isEqualTo("[\"a\\\",\\\"b\",\"c\"]");
        Random random = new Random(0x1D_E17L);
        for (int i = 0; i < 500; i++) {
            List<String> parts = List.of(randomText(random), randomText(random), randomText(random));
            assertThat(NodeIdentity.decode(NodeIdentity.encode(parts), 3)).as("seed try %d", i).isEqualTo(parts);
        }
    }

    @Test
    void shouldLoadCompositeKeysLinksAndEndpointsWithTheTargetsIdentityProperty() {
        NodeMapping products = mapping.node(PRODUCTS).orElseThrow();
        assertThat(products.keyColumns()).containsExactly("store_id", "sku");
        assertThat(products.idProperty()).isEqualTo("id");
        assertThat(products.columns().lanes().column("price")).isEqualTo(Lane.CRITICAL);
        assertThat(products.columns().lanes().insert()).isEqualTo(Lane.HIGH);
        assertThat(products.parentLinks()).containsExactly(
                new ParentLink(List.of("store_id"), "SELLS", "Store", true, "id"),
                new ParentLink(List.of("category_id"), "IN_CATEGORY", "Category", false, "key"));
        RelationshipMapping lines = mapping.relationship(ORDER_LINES).orElseThrow();
        assertThat(lines.to()).isEqualTo(new RelationshipMapping.Endpoint("Product", List.of("store_id", "sku"), "id"));
        assertThat(lines.keyColumns()).containsExactly("order_store", "store_id", "sku");
        assertThatThrownBy(products::keyColumn).isInstanceOf(IllegalStateException.class);
        assertThat(products.keyValues("[\"7\",\"A-100\"]")).containsExactly(Map.entry("store_id", "7"), Map.entry("sku", "A-100"));
    }

    @Test
    void shouldUpsertProductByCompositeIdentityKeepingKeyColumnsAsPropertiesAndFlatteningJson() {
        Map<String, Object> row = product(7L, "A-100", "{\"color\":\"red\",\"dims\":[1,2.5],\"extra\":{\"x\":1}}");

        GraphWritePlan plan = plan(new RowChange.Insert(PRODUCTS, row));

        NodeRow node = ((UpsertNodes) plan.steps().get(0)).rows().get(0);
        assertThat(node.id()).isEqualTo("[\"7\",\"A-100\"]");
        assertThat(node.properties())
                .containsEntry("id", "[\"7\",\"A-100\"]").containsEntry("pgId", "[\"7\",\"A-100\"]")
                .containsEntry("storeId", 7L).containsEntry("sku", "A-100").containsEntry("title", "Lamp")
                .containsEntry("attrColor", "red").containsEntry("attrDims", List.of(1.0, 2.5)).containsEntry("attrSizeLabel", null)
                .doesNotContainKeys("cost", "name", "attributes", "categoryId", "neo4jNodeId", "extra");
        assertThat(plan.steps()).filteredOn(LinkParents.class::isInstance).extracting(s -> ((LinkParents) s).rows().get(0))
                .containsExactlyInAnyOrder(new ParentRow("[\"7\",\"A-100\"]", "7", null, COMMITTED), new ParentRow("[\"7\",\"A-100\"]", "3", null, COMMITTED));
    }

    @Test
    void shouldDeleteByCompositeKeyAndRecreateWhenAKeyColumnChanges() {
        GraphWritePlan plan = plan(new RowChange.Update(PRODUCTS, Map.of("store_id", 7L, "sku", "A-100"), product(7L, "A-200", null)));

        assertThat(plan.steps().get(0)).isEqualTo(new DeleteNodes(mapping.node(PRODUCTS).orElseThrow(), List.of("[\"7\",\"A-100\"]"), List.of(COMMITTED)));
        assertThat(((UpsertNodes) plan.steps().get(1)).rows().get(0).id()).isEqualTo("[\"7\",\"A-200\"]");
        GraphWritePlan delete = plan(new RowChange.Delete(PRODUCTS, mapping.node(PRODUCTS).orElseThrow().keyValues("[\"7\",\"A-200\"]")));
        assertThat(delete.steps()).containsExactly(new DeleteNodes(mapping.node(PRODUCTS).orElseThrow(), List.of("[\"7\",\"A-200\"]"), List.of(COMMITTED)));
    }

    @Test
    void shouldLinkSelfReferenceAndKeepTheNamedIdentityProperty() {
        Map<String, Object> row = new HashMap<>(Map.of("id", 5L, "name", "Lamps", "parent_id", 1L));

        GraphWritePlan plan = plan(new RowChange.Insert(CATEGORIES, row));

        NodeRow node = ((UpsertNodes) plan.steps().get(0)).rows().get(0);
        assertThat(node.properties()).containsEntry("key", "5").containsEntry("id", 5L).containsEntry("name", "Lamps").doesNotContainKey("parentId");
        LinkParents link = (LinkParents) plan.steps().get(1);
        assertThat(link.link().parentLabel()).isEqualTo("Category");
        assertThat(link.rows()).containsExactly(new ParentRow("5", "1", null, COMMITTED));
    }

    @Test
    void shouldKeyJoinRowsByCompositeEndpointAndRenameTheirProperties() {
        Map<String, Object> row = Map.of("order_store", 9L, "store_id", 7L, "sku", "A-100", "unit_price", "9.50", "quantity", 2L);

        UpsertRelationships upsert = (UpsertRelationships) plan(new RowChange.Insert(ORDER_LINES, row)).steps().get(0);

        assertThat(upsert.rows().get(0).fromId()).isEqualTo("9");
        assertThat(upsert.rows().get(0).toId()).isEqualTo("[\"7\",\"A-100\"]");
        assertThat(upsert.rows().get(0).properties()).containsOnlyKeys("price", "quantity").containsEntry("price", "9.50");
    }

    @Test
    void shouldRefuseAFlattenedValueWithoutAGraphFormNamingTableRowAndColumn() {
        Map<String, Object> row = product(7L, "A-100", "{\"color\":{\"r\":255}}");

        assertThatThrownBy(() -> plan(new RowChange.Insert(PRODUCTS, row)))
                .isInstanceOf(SyncException.class)
                .satisfies(e -> assertThat(((SyncException) e).isRetryable()).isFalse())
                .hasMessageContaining("shop.products").hasMessageContaining("[\"7\",\"A-100\"]")
                .hasMessageContaining("attributes").hasMessageContaining("'color'")
                .satisfies(e -> assertThat(((SyncException) e).publicMessage()).as("the row's key is a row value: not in public")
                        .isEqualTo("table shop.products, column attributes: key 'color' holds an object, which a graph property cannot hold: "
                                + "store the column as a JSON string (store: string) or leave the key out of 'keys'"));
        assertThatThrownBy(() -> plan(new RowChange.Insert(PRODUCTS, product(7L, "A-1", "{\"dims\":[1,\"x\"]}"))))
                .isInstanceOf(SyncException.class).hasMessageContaining("mixed");
    }

    @Test
    void shouldNameTableColumnAndTypeButNotTheValueOfAValueWithoutAGraphFormInPublic() {
        Map<String, Object> row = product(7L, "A-100", "{}");
        row.put("name", new Unconvertible("shop.products.name: its text value has no graph form", "cannot convert text value 'row-value-4711'"));

        assertThatThrownBy(() -> plan(new RowChange.Insert(PRODUCTS, row))).isInstanceOfSatisfying(SyncException.class, e -> {
            assertThat(e.rejectsData()).isTrue();
            assertThat(e.getMessage()).as("for the dead letter and the log").contains("row-value-4711");
            assertThat(e.publicMessage()).isEqualTo("shop.products.name: its text value has no graph form: fix the row in PostgreSQL, "
                    + "then nexus-sync dlq retry");
        });
    }

    @Test
    void shouldReportEveryProblemWithItsLine() {
        String yaml = """
                nodes:
                  - table: items
                    label: Item
                    key: [id, id]
                    idProperty: pgId
                    properties: {title: "bad name"}
                    json:
                      meta: {store: flatten}
                  - table: notes
                    label: Note
                    key: id
                    lanes: {body: urgent}
                    links:
                      - {columns: [a], type: ON, label: Item}
                relationships:
                  - table: item_notes
                    type: HAS
                    from: {label: Item, column: item_id}
                    to: {label: Ghost, column: note_id}
                    temporal: maybe
                """;

        MappingDocument document = MappingLoader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test");

        assertThat(document.problems()).extracting(MappingProblem::line).containsExactly(4, 5, 6, 8, 12, 14, 18, 19, 20);
        assertThat(document.problems().get(0).message()).contains("listed twice");
        assertThat(document.problems().get(1).message()).contains("pgId");
        assertThat(document.problems().get(5).message()).contains("has a key of 2");
        assertThat(document.problems().get(6).message()).contains("from").contains("has a key of 2");
        assertThat(document.problems().get(7).message()).contains("Ghost");
        assertThat(document.problems().get(8).message()).contains("maybe");
        assertThat(document.line(TableId.parse("notes"))).isEqualTo(9);
    }

    @Test
    void shouldRejectTwoColumnsLandingOnOneProperty() {
        String yaml = """
                nodes:
                  - table: items
                    label: Item
                    key: [tenant, id]
                    properties: {title: tenant}
                """;

        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(MappingException.class)
                .hasMessageContaining("line 5").hasMessageContaining("property tenant");
    }

    private GraphWritePlan plan(RowChange change) {
        return planner.plan(List.of(new SourceChange(change, Lsn.of(0x1000), COMMITTED)));
    }

    private static Map<String, Object> product(long store, String sku, String attributes) {
        Map<String, Object> row = new HashMap<>();
        row.put("store_id", store);
        row.put("sku", sku);
        row.put("name", "Lamp");
        row.put("cost", "3.00");
        row.put("category_id", 3L);
        row.put("attributes", attributes == null ? null : new JsonText(attributes));
        return row;
    }

    private static String randomText(Random random) {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(6);
        String alphabet = "ab\",[]\\ \u00e9\u0001{}";
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    static Mapping parse(String yaml) {
        return MappingLoader.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test mapping");
    }
}
