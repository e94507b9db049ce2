package io.nexussync.kafka;

/** One way an existing topic differs from what nexus-sync needs, and the command that fixes it. */
public record TopicProblem(String what, String fix) {
    @Override
    public String toString() {
        return what + " (fix: " + fix + ")";
    }
}
