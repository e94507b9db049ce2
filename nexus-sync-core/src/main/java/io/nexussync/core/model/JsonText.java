package io.nexussync.core.model;

/** A {@code json}/{@code jsonb} value in canonical form: compact, object keys sorted. */
public record JsonText(String canonical) {
    @Override
    public String toString() {
        return canonical;
    }
}
