package io.nexussync.kafka.records;

import static io.nexussync.kafka.records.ChangeRecordCodecTest.THREADS;
import static io.nexussync.kafka.records.ChangeRecordCodecTest.row;
import static io.nexussync.kafka.records.ChangeRecordCodecTest.streamed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.RowChange;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Values decode cannot read: each refused with a message that names what is wrong, never retryable, never quoting a value. */
class ChangeRecordDecodeErrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ChangeRecordCodec codec = new ChangeRecordCodec(MappingLoader.builtIn());

    private ChangeRecordException refusal(byte[] value) {
        ChangeRecordException e = catchThrowableOfType(ChangeRecordException.class, () -> codec.decode(value));
        assertThat(e).as("decode refuses the value").isNotNull();
        assertThat(e.isRetryable()).isFalse();
        return e;
    }

    private ChangeRecordException refusal(String value) {
        return refusal(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A value encode wrote for an update of a thread, then changed by {@code damage}. */
    private ChangeRecordException refusalOfDamaged(Consumer<ObjectNode> damage) throws Exception {
        RowChange update = new RowChange.Update(THREADS, null, row("id", "t-1", "title", "secret title", "score", 1.5));
        ObjectNode value = (ObjectNode) JSON.readTree(codec.encode(streamed(update)).value());
        damage.accept(value);
        return refusal(JSON.writeValueAsBytes(value));
    }

    private static ObjectNode change(ObjectNode value) {
        return (ObjectNode) value.get("change");
    }

    private static ObjectNode newValues(ObjectNode value) {
        return (ObjectNode) change(value).get("newValues");
    }

    @Test
    void shouldReadTheUndamagedValue() throws Exception {
        RowChange update = new RowChange.Update(THREADS, null, row("id", "t-1", "title", "secret title", "score", 1.5));
        ObjectNode value = (ObjectNode) JSON.readTree(codec.encode(streamed(update)).value());

        assertThat(codec.decode(JSON.writeValueAsBytes(value)).change().change()).isEqualTo(update);
    }

    @Test
    void shouldRefuseAValueThatIsNotJson() {
        assertThat(refusal("id=1,title=secret")).hasMessageContaining("not JSON");
        assertThat(refusal(new byte[] {(byte) 0xff, (byte) 0xfe, 0})).hasMessageContaining("not JSON");
        assertThat(refusal("{\"format\":1} trailing")).hasMessageContaining("not JSON");
        assertThat(refusal("{\"format\":1,\"format\":1}")).hasMessageContaining("not JSON");
    }

    @Test
    void shouldRefuseNoValueAndAValueThatIsNotAnObject() {
        assertThat(refusal((byte[]) null)).hasMessageContaining("no value");
        assertThat(refusal(new byte[0])).hasMessageContaining("not a JSON object");
        assertThat(refusal("[1,2]")).hasMessageContaining("not a JSON object");
        assertThat(refusal("\"text\"")).hasMessageContaining("not a JSON object");
    }

    @Test
    void shouldRefuseAValueWithoutAFormatVersion() throws Exception {
        assertThat(refusalOfDamaged(v -> v.remove("format"))).hasMessageContaining("lacks its format version 'format'");
        assertThat(refusalOfDamaged(v -> v.put("format", "1"))).hasMessageContaining("lacks its format version 'format'");
    }

    @Test
    void shouldRefuseAnUnknownFormatVersion() throws Exception {
        assertThat(refusalOfDamaged(v -> v.put("format", 2)))
                .hasMessageContaining("format version 2").hasMessageContaining("reads version 1 only");
        assertThat(refusalOfDamaged(v -> v.put("format", 0))).hasMessageContaining("format version 0");
        assertThat(refusalOfDamaged(v -> v.put("format", 4_294_967_297L))).hasMessageContaining("format version 4294967297");
    }

    @Test
    void shouldNameEachMissingField() throws Exception {
        assertThat(refusalOfDamaged(v -> v.remove("position"))).hasMessageContaining("lacks 'position'");
        assertThat(refusalOfDamaged(v -> ((ObjectNode) v.get("position")).remove("tx"))).hasMessageContaining("lacks 'position.tx'");
        assertThat(refusalOfDamaged(v -> ((ObjectNode) v.get("position")).remove("index"))).hasMessageContaining("lacks 'position.index'");
        assertThat(refusalOfDamaged(v -> v.remove("txFinalLsn"))).hasMessageContaining("lacks 'txFinalLsn'");
        assertThat(refusalOfDamaged(v -> v.remove("commitTime"))).hasMessageContaining("lacks 'commitTime'");
        assertThat(refusalOfDamaged(v -> v.remove("change"))).hasMessageContaining("lacks 'change'");
        assertThat(refusalOfDamaged(v -> change(v).remove("kind"))).hasMessageContaining("lacks 'change.kind'");
        assertThat(refusalOfDamaged(v -> change(v).remove("table"))).hasMessageContaining("lacks 'change.table'");
        assertThat(refusalOfDamaged(v -> ((ObjectNode) change(v).get("table")).remove("name"))).hasMessageContaining("lacks 'change.table.name'");
        assertThat(refusalOfDamaged(v -> change(v).remove("oldKey"))).hasMessageContaining("lacks 'change.oldKey'");
        assertThat(refusalOfDamaged(v -> change(v).remove("newValues"))).hasMessageContaining("lacks 'change.newValues'");
    }

    @Test
    void shouldNameEachMisshapenField() throws Exception {
        assertThat(refusalOfDamaged(v -> ((ObjectNode) v.get("position")).put("tx", "16-B374D848")))
                .hasMessageContaining("position.tx is not a WAL position");
        assertThat(refusalOfDamaged(v -> ((ObjectNode) v.get("position")).put("index", 1.5))).hasMessageContaining("position.index is not an integer");
        assertThat(refusalOfDamaged(v -> v.put("commitTime", "yesterday"))).hasMessageContaining("commitTime is not an ISO instant");
        assertThat(refusalOfDamaged(v -> v.put("txFinalLsn", 5))).hasMessageContaining("txFinalLsn is not a string");
        assertThat(refusalOfDamaged(v -> change(v).put("kind", "upsert"))).hasMessageContaining("change.kind is none of insert, update, delete, truncate");
        assertThat(refusalOfDamaged(v -> ((ObjectNode) change(v).get("table")).put("schema", ""))).hasMessageContaining("change.table is not a table");
        assertThat(refusalOfDamaged(v -> change(v).put("newValues", "id=1"))).hasMessageContaining("change.newValues is not a JSON object of columns");
        assertThat(refusalOfDamaged(v -> change(v).put("kind", "truncate"))).hasMessageContaining("lacks 'change.tables'");
    }

    @Test
    void shouldRefuseAnUnknownValueTagNamingTheColumn() throws Exception {
        ChangeRecordException e = refusalOfDamaged(v -> ((ObjectNode) newValues(v).get("score")).put("t", "decimal128"));

        assertThat(e).hasMessageContaining("change.newValues.score").hasMessageContaining("unknown value tag");
        assertThat(e.publicMessage()).doesNotContain("decimal128");
    }

    @Test
    void shouldRefuseAValueWhoseTaggedTextDoesNotParseWithoutShowingIt() throws Exception {
        ChangeRecordException badDouble = refusalOfDamaged(v -> ((ObjectNode) newValues(v).get("score")).put("v", "secret-1.5"));
        assertThat(badDouble).hasMessageContaining("change.newValues.score").hasMessageContaining("'double' value does not parse");
        assertThat(badDouble.publicMessage()).doesNotContain("secret");

        assertThat(refusalOfDamaged(v -> newValues(v).putObject("when").put("t", "offsetDateTime").put("v", "2026-12-07T11:20")))
                .hasMessageContaining("change.newValues.when").hasMessageContaining("'offsetDateTime' value does not parse");
        assertThat(refusalOfDamaged(v -> newValues(v).putObject("blob").put("t", "bytes").put("v", "not base64!")))
                .hasMessageContaining("change.newValues.blob").hasMessageContaining("'bytes' value does not parse");
        assertThat(refusalOfDamaged(v -> newValues(v).putObject("doc").put("t", "json")))
                .hasMessageContaining("change.newValues.doc").hasMessageContaining("lacks its text 'v'");
        assertThat(refusalOfDamaged(v -> newValues(v).putObject("odd").put("v", "1")))
                .hasMessageContaining("change.newValues.odd").hasMessageContaining("type tag 't'");
    }

    @Test
    void shouldRefuseAPlainNumberThatIsNotALong() throws Exception {
        assertThat(refusalOfDamaged(v -> newValues(v).put("score", 1.5)))
                .hasMessageContaining("change.newValues.score").hasMessageContaining("plain number must be an integer");
        assertThat(refusalOfDamaged(v -> newValues(v).put("big", new java.math.BigInteger("9223372036854775808"))))
                .hasMessageContaining("change.newValues.big").hasMessageContaining("within a long's range");
        assertThat(refusalOfDamaged(v -> newValues(v).putArray("list").add(1L).add(2.5)))
                .hasMessageContaining("change.newValues.list[1]");
    }
}
