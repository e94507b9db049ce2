package io.nexussync.it.testkit;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The comparison both equality checks make of the keys the database has and the keys the graph has. */
final class KeySets {
    private KeySets() {}

    /** Adds to {@code problems} each key the graph has twice, lacks, or has without a row. */
    static void compare(List<String> problems, String what, Set<String> expected, List<String> actual) {
        Set<String> seen = new HashSet<>();
        for (String k : actual) {
            if (!seen.add(k)) {
                problems.add(what + " " + k + ": duplicated");
            }
        }
        for (String k : expected) {
            if (!seen.contains(k)) {
                problems.add(what + " " + k + ": missing in the graph");
            }
        }
        for (String k : seen) {
            if (!expected.contains(k)) {
                problems.add(what + " " + k + ": in the graph but not in the database");
            }
        }
    }
}
