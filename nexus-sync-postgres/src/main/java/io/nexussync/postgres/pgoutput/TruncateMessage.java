package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.RowChange;
import io.nexussync.core.model.TableId;
import java.util.ArrayList;
import java.util.List;

/** 'T': relation count, option bits, then the relation ids (one TRUNCATE can name several tables). */
final class TruncateMessage {

    private static final int CASCADE = 1;
    private static final int RESTART_IDENTITY = 2;

    private TruncateMessage() {}

    static RowChange.Truncate decode(PgOutputReader reader, Relations relations) {
        int count = reader.int32("relation count");
        if (count < 0) {
            throw reader.fail("negative relation count " + count);
        }
        int options = reader.int8("options");
        List<TableId> tables = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            tables.add(relations.require(reader.int32("relation id " + i), reader).table());
        }
        return new RowChange.Truncate(List.copyOf(tables), (options & CASCADE) != 0, (options & RESTART_IDENTITY) != 0);
    }
}
