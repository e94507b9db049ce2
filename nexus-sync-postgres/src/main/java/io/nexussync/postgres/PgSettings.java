package io.nexussync.postgres;

/** Where PostgreSQL is and which slot and publication the service owns. */
public record PgSettings(String url, String user, String password, String slot, String publication) {
    @Override
    public String toString() {
        return "PgSettings[url=" + url + ", user=" + user + ", password=<redacted>, slot=" + slot + ", publication=" + publication + "]";
    }
}
