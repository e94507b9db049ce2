package io.nexussync.kafka.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexussync.core.capture.StreamItem;
import io.nexussync.core.mapping.Mapping;
import io.nexussync.core.mapping.MappingLoader;
import io.nexussync.core.model.JsonText;
import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.Position;
import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.SourceChange;
import io.nexussync.core.model.TableId;
import io.nexussync.core.model.Unchanged;
import io.nexussync.core.model.Unconvertible;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Many generated changes, of every kind, with values of every type at their edges, through encode and decode: each comes
 * back exactly. Seeded: a failure names its seed and change number, and the same seed gives the same changes.
 */
class ChangeRecordRandomRoundTripTest {
    private static final long[] SEEDS = {1L, 18L, 0x5EED_C0DECL, 20261207L};
    private static final int CHANGES_PER_SEED = 2_500;
    private static final long MIN_EPOCH_SECOND = LocalDateTime.of(-20_000, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long MAX_EPOCH_SECOND = LocalDateTime.of(20_000, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);

    private static final String JSON_SPECIALS = "\"\\/[],\u0000\n\t";

    private final Mapping mapping = MappingLoader.builtIn();
    private final ChangeRecordCodec codec = new ChangeRecordCodec(mapping);
    private final List<TableId> tables = new ArrayList<>(mapping.tables());

    @Test
    void shouldRoundTripEveryGeneratedChangeExactly() {
        int published = 0;
        for (long seed : SEEDS) {
            Random random = new Random(seed);
            for (int n = 0; n < CHANGES_PER_SEED; n++) {
                StreamItem.Change item = new StreamItem.Change(new SourceChange(change(random), lsn(random), instant(random)),
                        new Position(lsn(random), random.nextInt(3) == 0 ? random.nextLong() & Long.MAX_VALUE : random.nextInt(1000)));

                ChangeRecord record = codec.encode(item);

                assertThat(record).as("seed %d change %d is to mapped tables", seed, n).isNotNull();
                ConsumedChange back = codec.decode(record.value());
                assertThat(Exactly.of(back)).as("seed %d change %d", seed, n)
                        .isEqualTo(Exactly.of(new ConsumedChange(item.change(), item.position())));
                published++;
            }
        }
        assertThat(published).isEqualTo(SEEDS.length * CHANGES_PER_SEED);
    }

    private RowChange change(Random random) {
        TableId table = tables.get(random.nextInt(tables.size()));
        return switch (random.nextInt(5)) {
            case 0 -> new RowChange.Insert(table, row(random));
            case 1 -> new RowChange.Update(table, null, row(random));
            case 2 -> new RowChange.Update(table, row(random), row(random));
            case 3 -> new RowChange.Delete(table, row(random));
            default -> {
                List<TableId> truncated = new ArrayList<>();
                truncated.add(table);
                for (int i = random.nextInt(3); i > 0; i--) {
                    truncated.add(random.nextBoolean() ? tables.get(random.nextInt(tables.size())) : new TableId(text(random, 8) + "s", text(random, 8) + "t"));
                }
                yield new RowChange.Truncate(List.copyOf(truncated), random.nextBoolean(), random.nextBoolean());
            }
        };
    }

    private Map<String, Object> row(Random random) {
        Map<String, Object> row = new LinkedHashMap<>();
        // the key columns first, mostly, so most rows name an entity; the rest are any names
        if (random.nextInt(4) != 0) {
            row.put("id", text(random, 12));
            row.put("thread_id", text(random, 12));
            row.put("content_id", text(random, 12));
            row.put("tag_id", text(random, 12));
        }
        for (int i = random.nextInt(12); i > 0; i--) {
            row.put(text(random, 10), value(random, 0));
        }
        return row;
    }

    private Object value(Random random, int depth) {
        return switch (random.nextInt(depth < 3 ? 16 : 15)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> longValue(random);
            case 3 -> random.nextBoolean() ? text(random, 30) : Long.toString(longValue(random));
            case 4 -> doubleValue(random);
            case 5 -> OffsetDateTime.of(localDateTime(random), offset(random));
            case 6 -> localDateTime(random);
            case 7 -> localDateTime(random).toLocalDate();
            case 8 -> random.nextInt(20) == 0 ? LocalTime.MAX : localDateTime(random).toLocalTime();
            case 9 -> OffsetTime.of(localDateTime(random).toLocalTime(), offset(random));
            case 10 -> new JsonText("{\"k\":" + (random.nextBoolean() ? "\"" + text(random, 5).replace("\\", "").replace("\"", "") + "\"" : "[1,2]") + "}");
            case 11 -> {
                byte[] bytes = new byte[random.nextInt(40)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case 12 -> Unchanged.TOAST;
            case 13 -> new Unconvertible(text(random, 20), random.nextBoolean() ? null : text(random, 20));
            case 14 -> Long.toString(random.nextInt(1000)) + "." + random.nextInt(100); // a numeric column: text
            default -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(value(random, depth + 1));
                }
                yield list;
            }
        };
    }

    private static long longValue(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> Long.MIN_VALUE;
            case 2 -> random.nextInt(2001) - 1000;
            default -> random.nextLong();
        };
    }

    private static double doubleValue(Random random) {
        double[] edges = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE,
                Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL, 0.1, 1e300, 123456789012345680.0};
        return switch (random.nextInt(3)) {
            case 0 -> edges[random.nextInt(edges.length)];
            case 1 -> Double.longBitsToDouble(random.nextLong());
            default -> (float) random.nextGaussian(); // what a real (float4) column holds, widened
        };
    }

    private static LocalDateTime localDateTime(Random random) {
        long second = random.nextInt(4) == 0 ? MIN_EPOCH_SECOND + (long) (random.nextDouble() * (MAX_EPOCH_SECOND - MIN_EPOCH_SECOND))
                : 1_700_000_000L + random.nextInt(100_000_000);
        int nanos = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
        return LocalDateTime.ofEpochSecond(second, nanos, ZoneOffset.UTC);
    }

    private static ZoneOffset offset(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> ZoneOffset.UTC;
            case 1 -> ZoneOffset.ofHoursMinutes(random.nextInt(29) - 14, 0);
            default -> ZoneOffset.ofTotalSeconds(random.nextInt(2 * 18 * 3600 + 1) - 18 * 3600);
        };
    }

    private static Lsn lsn(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> Lsn.INVALID;
            case 1 -> Lsn.of(-1L);
            default -> Lsn.of(random.nextLong());
        };
    }

    private static Instant instant(Random random) {
        return random.nextInt(5) == 0 ? localDateTime(random).toInstant(ZoneOffset.UTC)
                : Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000), random.nextInt(1_000_000_000));
    }

    /** Text of any valid code points: ASCII, JSON's specials, control characters, NUL, beyond the BMP. */
    private static String text(Random random, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
            int codePoint = switch (random.nextInt(6)) {
                case 0 -> JSON_SPECIALS.charAt(random.nextInt(JSON_SPECIALS.length()));
                case 1 -> random.nextInt(0x20);
                case 2 -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
                case 3 -> {
                    int c = random.nextInt(0xFFFE) + 1;
                    yield c >= 0xD800 && c <= 0xDFFF ? 'x' : c;
                }
                default -> 'a' + random.nextInt(26);
            };
            text.appendCodePoint(codePoint);
        }
        return text.toString();
    }
}
