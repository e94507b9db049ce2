package io.nexussync.postgres.pgoutput;

/** pgoutput abbreviates {@code pg_catalog} to the empty string to save bytes; spell it out again. */
final class Namespaces {

    private Namespaces() {}

    static String of(String wire) {
        return wire.isEmpty() ? "pg_catalog" : wire;
    }
}
