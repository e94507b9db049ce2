package io.nexussync.kafka.debezium;

import io.nexussync.core.model.TableId;
import java.util.Optional;

/**
 * The PostgreSQL type of a column, for events written without schemas ({@code value.converter.schemas.enable=false}),
 * whose JSON alone does not say whether a number is a bigint or microseconds, or a string text or jsonb.
 *
 * <p>Give the type as {@code format_type(atttypid, atttypmod)} prints it ({@code timestamp(3) without time zone},
 * {@code numeric(12,2)}, {@code text[]}; the catalog's display type): Debezium's encoding of time and numeric columns
 * depends on the precision and scale, which only that form carries. The short names ({@code int8}, {@code timestamptz},
 * {@code _text}) are read too, as the type without a modifier. Implementations must be thread-safe if the decoder is
 * shared between threads.
 */
@FunctionalInterface
public interface ColumnTypes {

    /** No types known: every value must come with its schema. */
    ColumnTypes NONE = (table, column) -> Optional.empty();

    /** @return the column's type name, or empty when the column is not known */
    Optional<String> typeOf(TableId table, String column);
}
