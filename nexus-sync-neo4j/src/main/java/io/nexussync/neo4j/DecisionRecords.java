package io.nexussync.neo4j;

import io.nexussync.core.critical.CriticalDecision;
import io.nexussync.core.model.Lsn;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;

/**
 * How a critical decision is stored: {@code (:_SyncDecision {key: "<slot>/<gid>/<xid>"})}, unique by key (two services on
 * different slots may see the same global id, each in its own database; an application may reuse a global id once its
 * transaction is finished, and the transaction id tells the two apart). The one statement that records a decision
 * MERGEs it, so that the first decision recorded stands: the uniqueness constraint makes a second writer wait for the
 * first and then find its node. The {@code token} tells a writer whether the node it got back is its own.
 */
final class DecisionRecords {
    static final String DECIDE = "MERGE (d:`_SyncDecision` {key: $key}) "
            + "ON CREATE SET d.gid = $gid, d.xid = $xid, d.slot = $slot, d.outcome = $outcome, d.reason = $reason, d.decidedAt = $decidedAt, "
            + "d.prepareLsn = $prepareLsn, d.decidedBy = $decidedBy, d.token = $token "
            + "RETURN d.token = $token AS mine, " + Fields.RETURN;
    static final String READ = "UNWIND $keys AS key MATCH (d:`_SyncDecision` {key: key}) RETURN " + Fields.RETURN;
    static final String FORGET = "MATCH (d:`_SyncDecision` {slot: $slot}) WHERE d.decidedAt < $before AND NOT d.gid IN $keep "
            + "WITH d LIMIT 10000 DELETE d RETURN count(*) AS forgotten";

    private DecisionRecords() {
    }

    static String key(String slot, String gid, long xid) {
        return slot + "/" + gid + "/" + xid;
    }

    /** The parameters of {@link #DECIDE}, with a fresh token. */
    static Map<String, Object> decide(String slot, CriticalDecision decision) {
        Map<String, Object> p = new HashMap<>();
        p.put("key", key(slot, decision.gid(), decision.xid()));
        p.put("gid", decision.gid());
        p.put("xid", decision.xid());
        p.put("slot", slot);
        p.put("outcome", decision.outcome().text());
        p.put("reason", decision.reason());
        p.put("decidedAt", decision.decidedAt().atOffset(ZoneOffset.UTC));
        p.put("prepareLsn", decision.prepareLsn().isValid() ? decision.prepareLsn().toString() : null);
        p.put("decidedBy", decision.decidedBy());
        p.put("token", UUID.randomUUID().toString());
        return p;
    }

    static CriticalDecision of(Record r) {
        Value lsn = r.get("prepareLsn");
        return new CriticalDecision(r.get("gid").asString(), r.get("xid").asLong(), CriticalDecision.Outcome.fromText(r.get("outcome").asString()),
                r.get("reason").isNull() ? null : r.get("reason").asString(), r.get("decidedAt").asZonedDateTime().toInstant(),
                lsn.isNull() ? Lsn.INVALID : Lsn.valueOf(lsn.asString()), r.get("decidedBy").isNull() ? null : r.get("decidedBy").asString());
    }

    /** What every statement returns of a decision, as {@link #of} reads it. */
    private static final class Fields {
        static final String RETURN = "d.gid AS gid, d.xid AS xid, d.outcome AS outcome, d.reason AS reason, d.decidedAt AS decidedAt, "
                + "d.prepareLsn AS prepareLsn, d.decidedBy AS decidedBy";
    }
}
