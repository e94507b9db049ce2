package io.nexussync.kafka.debezium;

import io.nexussync.core.model.Lsn;
import io.nexussync.core.model.TableId;
import java.time.Instant;

/**
 * Where a Debezium change event came from, from its {@code source} block: what the apply side orders and dates it by.
 *
 * @param table         {@code source.schema} and {@code source.table}
 * @param lsn           {@code source.lsn}: the LSN of the change itself (not of its transaction's commit); null in
 *                      snapshot records that carry none
 * @param lastCommitLsn the first element of {@code source.sequence}, Debezium's last commit LSN when it emitted the
 *                      event; null when the event has no sequence
 * @param txId          {@code source.txId}; null when absent
 * @param commitTime    {@code source.ts_us} (else {@code ts_ns}, else {@code ts_ms}): the commit time of a streamed
 *                      change, the read time of a snapshot record
 * @param snapshot      true for a snapshot record ({@code source.snapshot} other than {@code false})
 */
public record DebeziumSource(TableId table, Lsn lsn, Lsn lastCommitLsn, Long txId, Instant commitTime, boolean snapshot) {}
