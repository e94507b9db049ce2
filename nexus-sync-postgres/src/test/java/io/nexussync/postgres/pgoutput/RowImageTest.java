package io.nexussync.postgres.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowImageTest {
    private static final List<ColumnDescriptor> COLUMNS = List.of(
            new ColumnDescriptor("id", 2950, -1, true),
            new ColumnDescriptor("title", 25, -1, false),
            new ColumnDescriptor("tenant_id", 2950, -1, true),
            new ColumnDescriptor("body", 25, -1, false));

    @Test
    void shouldBehaveAsTheLinkedHashMapItReplacesInColumnOrder() {
        RowImage row = new RowImage(new RowImage.Layout(COLUMNS, false), new Object[] {"a", null, "t", "b"});
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", "a");
        expected.put("title", null);
        expected.put("tenant_id", "t");
        expected.put("body", "b");

        assertThat(row).isEqualTo(expected);
        assertThat(expected).isEqualTo(row);
        assertThat(row.hashCode()).isEqualTo(expected.hashCode());
        assertThat(new ArrayList<>(row.keySet())).containsExactly("id", "title", "tenant_id", "body");
        assertThat(new ArrayList<>(row.values())).containsExactly("a", null, "t", "b");
        assertThat(row.entrySet()).containsExactlyElementsOf(expected.entrySet());
        List<String> visited = new ArrayList<>();
        row.forEach((column, value) -> visited.add(column + "=" + value));
        assertThat(visited).containsExactly("id=a", "title=null", "tenant_id=t", "body=b");
        assertThat(row.get("title")).isNull();
        assertThat(row.containsKey("title")).isTrue();
        assertThat(row.get("missing")).isNull();
        assertThat(row.containsKey("missing")).isFalse();
        assertThat(row.containsValue("t")).isTrue();
        assertThat(row.containsValue(null)).isTrue();
        assertThat(row.containsValue("x")).isFalse();
        assertThat(row).hasSize(4);
    }

    @Test
    void shouldKeepOnlyTheReplicaIdentityInAKeyLayout() {
        RowImage.Layout keys = new RowImage.Layout(COLUMNS, true);
        assertThat(keys.slotOfColumn).containsExactly(0, -1, 1, -1);

        RowImage key = new RowImage(keys, new Object[] {"a", "t"});

        assertThat(key).isEqualTo(Map.of("id", "a", "tenant_id", "t"));
        assertThat(new ArrayList<>(key.keySet())).containsExactly("id", "tenant_id");
    }

    @Test
    void shouldRefuseChangesAsTheUnmodifiableMapBeforeIt() {
        RowImage row = new RowImage(new RowImage.Layout(COLUMNS, false), new Object[] {"a", "x", "t", "b"});

        assertThatThrownBy(() -> row.put("id", "b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> row.remove("id")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> row.keySet().remove("id")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> row.values().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(row::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThat(row).containsEntry("id", "a");
    }

    @Test
    void shouldDescribeEqualLayoutsAsEqualSoRelationDescriptorsStayComparable() {
        assertThat(new RelationDescriptor(new io.nexussync.core.model.TableId("public", "t"), 'd', COLUMNS))
                .isEqualTo(new RelationDescriptor(new io.nexussync.core.model.TableId("public", "t"), 'd', new ArrayList<>(COLUMNS)));
    }
}
