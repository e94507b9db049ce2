package io.nexussync.core.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a verify run found. The sides agree when nothing was found and every suspect was settled: a suspect the stream
 * did not let verify confirm (it did not pass the read position in time) or that kept changing is not a finding, but
 * the run cannot say the sides agree either.
 *
 * @param findings     every finding (as logged, or with id 0 in a dry run), up to the run's report limit
 * @param findingCount all findings, also those beyond the limit
 * @param unconfirmed  suspects left unchecked because the stream did not reach the position they were read at
 * @param unsettled    suspects whose row kept changing through every check
 * @param planned      per finding id (or index, in a dry run), what a repair does or why it waits
 */
public record VerifyReport(Instant startedAt, Duration took, List<SubjectResult> subjects, List<LoggedFinding> findings, long findingCount,
                           long unconfirmed, long unsettled, List<RepairRules.Decision> planned, boolean dryRun) {

    /** @param rows rows compared; graphEntities nodes or relationship pairs compared */
    public record SubjectResult(String table, String graphName, long rows, long graphEntities, long ranges, long differingRanges,
                                long suspects, long findings) {}

    public boolean agrees() {
        return findingCount == 0 && unconfirmed == 0 && unsettled == 0;
    }

    public long entities() {
        return subjects.stream().mapToLong(s -> s.rows() + s.graphEntities()).sum();
    }

    /** Findings per check, then per entity type (table): the summary the command prints. */
    public Map<String, Map<String, Long>> byCheckAndTable() {
        Map<String, Map<String, Long>> summary = new TreeMap<>();
        for (LoggedFinding f : findings) {
            summary.computeIfAbsent(f.finding().check().external(), c -> new TreeMap<>()).merge(f.finding().table(), 1L, Long::sum);
        }
        return summary;
    }
}
