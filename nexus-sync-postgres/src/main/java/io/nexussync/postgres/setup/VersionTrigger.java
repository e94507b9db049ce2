package io.nexussync.postgres.setup;

import static io.nexussync.postgres.SqlNames.quote;

import io.nexussync.core.model.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The version trigger: bumps a table's row version on every UPDATE that changes a column other than its
 * sync columns (the version itself, the graph version, the cross-reference), so that the service's own
 * write-back never looks like a change and an application's change always does.
 *
 * <p>It compares the binary images of the old and new rows ({@code *<>}, what REFRESH MATERIALIZED VIEW
 * CONCURRENTLY uses): a column added after setup is compared like any other, a column dropped is simply
 * absent, and types without an {@code =} operator (json, xml, point) need nothing of their own. Binary
 * equality is also what the graph sees: {@code 1.0} and {@code 1.00} are different numerics and
 * different graph values, so that is a change; {@code {"a":1,"b":2}} spelt twice is one jsonb and no change.
 *
 * <p>Beyond the sync columns, the body names columns only for shortcuts (a large text value that differs
 * is a change without the row images; a large value that is the same is set aside before them), and a
 * name that no longer fits (a column dropped, renamed or retyped after setup) costs a shortcut, not the
 * application's UPDATE.
 * The sync columns cannot be dropped or retyped while the trigger exists: its WHEN clause names them,
 * so PostgreSQL records the dependency and refuses such an ALTER TABLE, naming the trigger. One renamed
 * leaves the row as written, with a warning.
 *
 * <p>The reverse applier (graph edits written to PostgreSQL) must bump a row exactly once whether or not a data column
 * changes (a graph edit PostgreSQL refuses changes only the graph version, and its bump is what sends the row's state
 * back to the graph). Its transaction turns {@link #WRITER_SETS_VERSION} on, and its statements set the version
 * themselves: the trigger then leaves the row as written, for the statement's own rows only ({@code pg_trigger_depth()
 * = 1}: a row some other trigger or a cascade changes in that transaction is bumped as always).
 */
public final class VersionTrigger {
    static final String NAME = "nexus_sync_bump_version";
    /** {@code pg_trigger.tgtype} of a row-level BEFORE UPDATE trigger (TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_UPDATE). */
    private static final int ROW_BEFORE_UPDATE = 1 | 2 | 16;
    /**
     * A transaction-local setting ({@code set_config(name, 'on', true)}): the top-level statements of this transaction
     * set the row version themselves, and the trigger leaves it as they set it.
     */
    public static final String WRITER_SETS_VERSION = "nexus_sync.writer_sets_version";

    /** A column as setup found it: what the body may do with it. */
    record Column(String name, boolean generated, boolean outOfLine, Bytes bytes) {}

    /** Columns whose values compare byte for byte with {@code =}: text and varchar in the C collation, bytea. */
    enum Bytes { NONE, TEXT, BYTEA }

    private VersionTrigger() {}

    /** Creates or replaces the function and the trigger of {@code table}. */
    static void install(Connection c, TableId table, String versionColumn, Set<String> excluded) throws SQLException {
        Set<String> sync = new LinkedHashSet<>();
        sync.add(versionColumn);
        sync.addAll(excluded);
        boolean toastPointers = c.getMetaData().getDatabaseMajorVersion() >= 17;
        String function = quote(Migrations.SCHEMA) + "." + quote("bump_version__" + table.schema() + "__" + table.name());
        TableAdoption.execute(c, "CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS "
                + dollarQuoted(body(columns(c, table), versionColumn, sync, toastPointers)));
        List<String> named = new ArrayList<>();
        for (String column : sync) {
            named.add("OLD." + quote(column));
        }
        // Only when it is missing or differs: CREATE OR REPLACE TRIGGER locks the table against writes (SHARE ROW EXCLUSIVE),
        // so it waits behind every transaction that wrote the table and is still open, a prepared one for as long as it stays
        // prepared, and every later write to the table queues behind it. A service restarting (setup runs at every start)
        // while an application's prepared transaction, or a critical write that only the service finishes, holds the table
        // would stall there. Replacing the function above takes no lock on the table.
        if (!installed(c, table, function, sync)) {
            // Always true: it is there so that PostgreSQL records that the trigger reads the sync columns.
            TableAdoption.execute(c, "CREATE OR REPLACE TRIGGER " + NAME + " BEFORE UPDATE ON " + quote(table)
                    + " FOR EACH ROW WHEN (num_nulls(" + String.join(", ", named) + ") >= 0) EXECUTE FUNCTION " + function + "()");
        }
    }

    /**
     * Whether the trigger is there as {@link #install} writes it: enabled, before update for each row, calling
     * {@code function}, its WHEN reading exactly the {@code sync} columns (the columns PostgreSQL records it depends on).
     */
    private static boolean installed(Connection c, TableId table, String function, Set<String> sync) throws SQLException {
        String sql = "SELECT array_agg(a.attname::text ORDER BY a.attname) FILTER (WHERE a.attname IS NOT NULL) FROM pg_trigger t "
                + "LEFT JOIN pg_depend d ON d.classid = 'pg_trigger'::regclass AND d.objid = t.oid AND d.refclassid = 'pg_class'::regclass "
                + "AND d.refobjid = t.tgrelid AND d.refobjsubid > 0 "
                + "LEFT JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = d.refobjsubid "
                + "WHERE t.tgrelid = ?::regclass AND t.tgname = ? AND t.tgfoid = ?::regproc AND t.tgenabled = 'O' AND t.tgtype = " + ROW_BEFORE_UPDATE
                + " GROUP BY t.oid";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, quote(table));
            ps.setString(2, NAME);
            ps.setString(3, function);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getArray(1) == null) {
                    return false;
                }
                return new TreeSet<>(Arrays.asList((String[]) rs.getArray(1).getArray())).equals(new TreeSet<>(sync));
            }
        }
    }

    /**
     * The PL/pgSQL body. It compares NEW with OLD through a copy of NEW ({@code n}: a copy holds TOAST
     * pointers, not values; comparing NEW itself would pull its out-of-line values into the row PostgreSQL
     * writes, storing each again in full) in which the sync columns and the stored generated columns (NULL
     * in NEW until after BEFORE triggers; they follow from the other columns) are set to OLD's. OLD may be
     * changed freely: it is not what the trigger returns.
     *
     * <p>When OLD has a value out of line, the columns that may hold one are looked at first. A text or
     * bytea value that is not the same (same TOAST pointer, or equal byte for byte: its {@code =} compares
     * lengths before reading anything) is a change, found before copying NEW's new value. Otherwise a value
     * whose TOAST pointer is the same on both sides is set to NULL on both, so that the comparison does
     * not read it. Before PostgreSQL 17 (no {@code pg_column_toast_chunk_id}) only the byte-for-byte part
     * is there, for every row.
     *
     * <p>Everything that names a column runs in a block. If it fails (a column named there was dropped,
     * renamed or retyped after setup), the handler makes the copy again with the sync columns set aside,
     * and the generated columns as far as it can: the comparison then reads more, or counts a generated
     * column as changed, but is right. Only if a sync column is what is missing does the row go as written,
     * with a warning. PL/pgSQL prepares each expression once per transaction, and most UPDATEs are a
     * transaction of their own, so the common path is kept to few expressions.
     */
    static String body(List<Column> columns, String versionColumn, Set<String> sync, boolean toastPointers) {
        List<String> generated = new ArrayList<>();
        List<String> chunks = new ArrayList<>();
        List<String> differs = new ArrayList<>();
        List<String> pointers = new ArrayList<>();
        for (Column column : columns) {
            if (sync.contains(column.name())) {
                continue;
            } else if (column.generated()) {
                generated.add(column.name());
                continue;
            } else if (!column.outOfLine()) {
                continue;
            }
            String q = quote(column.name());
            List<String> same = new ArrayList<>();
            if (toastPointers) {
                chunks.add("pg_column_toast_chunk_id(OLD." + q + ")");
                pointers.add(q);
                same.add("pg_column_toast_chunk_id(NEW." + q + ") = pg_column_toast_chunk_id(OLD." + q + ")");
            }
            if (column.bytes() != Bytes.NONE) {
                String collate = column.bytes() == Bytes.TEXT ? " COLLATE \"C\"" : "";
                same.add("NEW." + q + collate + " IS NOT DISTINCT FROM OLD." + q + collate);
                differs.add("(" + String.join(" OR ", same) + ") IS NOT TRUE");
            }
        }
        String v = quote(versionColumn);
        StringBuilder b = new StringBuilder("DECLARE\n  n record;\nBEGIN\n")
                .append("  IF current_setting('").append(WRITER_SETS_VERSION).append("', true) = 'on' AND pg_trigger_depth() = 1 THEN\n")
                .append("    RETURN NEW;\n  END IF;\n  BEGIN\n");
        String in = chunks.isEmpty() ? "    " : "      ";
        if (!chunks.isEmpty()) {
            b.append("    IF num_nonnulls(").append(String.join(", ", chunks)).append(") > 0 THEN\n");
        }
        if (!differs.isEmpty()) {
            b.append(in).append("IF ").append(String.join("\n" + in + "   OR ", differs)).append(" THEN\n")
                    .append(in).append("  NEW.").append(v).append(" := OLD.").append(v).append(" + 1;\n")
                    .append(in).append("  RETURN NEW;\n").append(in).append("END IF;\n");
        }
        copy(b, in, sync, generated);
        for (String q : pointers) {
            b.append(in).append("IF pg_column_toast_chunk_id(n.").append(q).append(") = pg_column_toast_chunk_id(OLD.").append(q).append(") THEN\n")
                    .append(in).append("  n.").append(q).append(" := NULL;\n")
                    .append(in).append("  OLD.").append(q).append(" := NULL;\n")
                    .append(in).append("END IF;\n");
        }
        if (!chunks.isEmpty()) {
            b.append("    ELSE\n");
            copy(b, in, sync, generated);
            b.append("    END IF;\n");
        }
        b.append("  EXCEPTION WHEN OTHERS THEN\n    BEGIN\n");
        copy(b, "      ", sync, List.of());
        b.append("    EXCEPTION WHEN OTHERS THEN\n")
                .append("      RAISE WARNING 'nexus-sync: the version of a row of %.% was not bumped (%): run nexus-sync setup', "
                        + "TG_TABLE_SCHEMA, TG_TABLE_NAME, SQLERRM;\n")
                .append("      RETURN NEW;\n    END;\n");
        if (!generated.isEmpty()) {
            b.append("    BEGIN\n");
            for (String column : generated) {
                b.append("      n.").append(quote(column)).append(" := OLD.").append(quote(column)).append(";\n");
            }
            b.append("    EXCEPTION WHEN OTHERS THEN\n      NULL;\n    END;\n");
        }
        return b.append("  END;\n")
                .append("  NEW.").append(v).append(" := OLD.").append(v).append(" + CASE WHEN n *<> OLD THEN 1 ELSE 0 END;\n")
                .append("  RETURN NEW;\nEND\n").toString();
    }

    /** {@code n := NEW;} then {@code n.column := OLD.column;} for each sync and generated column. */
    private static void copy(StringBuilder b, String in, Set<String> sync, List<String> generated) {
        b.append(in).append("n := NEW;\n");
        for (String column : sync) {
            b.append(in).append("n.").append(quote(column)).append(" := OLD.").append(quote(column)).append(";\n");
        }
        for (String column : generated) {
            b.append(in).append("n.").append(quote(column)).append(" := OLD.").append(quote(column)).append(";\n");
        }
    }

    /**
     * {@code $tag$body$tag$} with a tag that does not end the string early: the body holds catalog names,
     * and a name may hold any dollar tag (a name with {@code $fn$} in it ended the old fixed tag and made
     * the rest of the name SQL).
     */
    static String dollarQuoted(String body) {
        for (int i = 0; ; i++) {
            String tag = "$nexus_sync" + (i == 0 ? "" : "_" + i) + "$";
            if ((body + tag).indexOf(tag) == body.length()) {
                return tag + body + tag;
            }
        }
    }

    /**
     * The table's columns in order: stored generated ones, those PostgreSQL may keep out of line (a varlena
     * type whose storage is not plain; not a domain, which might refuse the NULL that sets one aside), and
     * which of them compare byte for byte.
     */
    static List<Column> columns(Connection c, TableId table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (var ps = c.prepareStatement("SELECT a.attname, a.attgenerated <> '', t.typlen = -1 AND a.attstorage <> 'p' AND t.typtype <> 'd', "
                + "CASE WHEN a.atttypid IN ('text'::regtype, 'varchar'::regtype) THEN 'TEXT' WHEN a.atttypid = 'bytea'::regtype THEN 'BYTEA' ELSE 'NONE' END "
                + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                + "WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), Bytes.valueOf(rs.getString(4))));
                }
            }
        }
        return columns;
    }
}
