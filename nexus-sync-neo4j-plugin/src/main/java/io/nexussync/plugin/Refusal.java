package io.nexussync.plugin;

/**
 * Thrown from {@code beforeCommit} to roll a transaction back whole: the change belongs to PostgreSQL, or would give a
 * pair a second relationship for its one row. Its message reaches the client that committed, so it names the label or
 * type and says what to do instead.
 */
final class Refusal extends RuntimeException {
    private Refusal(String message) {
        super(message);
    }

    static Refusal deletion(String label) {
        return new Refusal("nexus-sync: " + label + " nodes are owned by PostgreSQL; delete its row in PostgreSQL instead");
    }

    static Refusal creation(String label) {
        return new Refusal("nexus-sync: " + label + " nodes are created in PostgreSQL; insert its row in PostgreSQL instead");
    }

    static Refusal closedVersion(String type, String what) {
        return new Refusal("nexus-sync: " + type + " relationships keep their history in PostgreSQL; a closed version cannot be " + what
                + " (change the current version, or the row in PostgreSQL, instead)");
    }

    static Refusal secondRelationship(RelationshipRule rule, Object from, Object to, int found) {
        String pair = rule.fromLabel() + " " + from + " -[:" + rule.type() + "]-> " + rule.toLabel() + " " + to;
        if (rule.temporal()) {
            return new Refusal("nexus-sync: " + pair + " would have " + found + " current " + rule.type() + " versions; PostgreSQL keeps one row per"
                    + " pair, and another transaction (the sync stream, most likely) gave it a current version first (change the current version,"
                    + " or the row in PostgreSQL, instead)");
        }
        return new Refusal("nexus-sync: " + pair + " would have " + found + " " + rule.type() + " relationships; PostgreSQL keeps one row per pair,"
                + " and another transaction (the sync stream, most likely) created it first (use MERGE instead of CREATE, or retry: it is there now)");
    }
}
