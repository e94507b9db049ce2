package io.nexussync.core.model;

import java.time.Instant;

/** A row change with the transaction it came in: its commit position and commit time. */
public record SourceChange(RowChange change, Lsn txFinalLsn, Instant commitTime) {}
