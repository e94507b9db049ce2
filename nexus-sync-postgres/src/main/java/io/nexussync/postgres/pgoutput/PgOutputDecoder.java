package io.nexussync.postgres.pgoutput;

import io.nexussync.core.model.CaptureEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns pgoutput messages ({@code proto_version '1'}, or {@code '3'} with {@code two_phase 'on'}; {@code messages 'true'},
 * no streaming, no binary) into {@link CaptureEvent}s. Without streaming, protocol 3 differs from 1 only by the four
 * messages of prepared transactions: Begin Prepare, Prepare, Commit Prepared and Rollback Prepared.
 *
 * <p>Relation and Type messages describe tables and types for the changes that follow, so one
 * decoder must see every message of one replication stream, in order. Not thread-safe.
 */
public final class PgOutputDecoder {

    private final Relations relations = new Relations();
    private final Map<Integer, TypeDescriptor> types = new HashMap<>();
    private String origin;

    /**
     * Decodes one message: the payload of an XLogData, its first byte the message kind. The
     * buffer's position and limit are left as they were.
     *
     * @return the event, or null for messages that only update this decoder's state (Type, Origin, and a
     *         Relation that describes its table as before or for the first time)
     * @throws PgOutputException for an unknown kind, a change on an unknown relation, or a short buffer
     * @throws ValueConversionException for a column value that has no Java form (e.g. an infinite timestamp)
     */
    public CaptureEvent decode(ByteBuffer message) {
        // slice() so reads neither depend on nor disturb the caller's position and byte order
        ByteBuffer buffer = message.slice().order(ByteOrder.BIG_ENDIAN);
        if (!buffer.hasRemaining()) {
            throw new PgOutputException("empty pgoutput message");
        }
        byte kind = buffer.get();
        return switch (kind) {
            case 'B' -> {
                // the origin, if any, arrives after Begin and belongs to that transaction only
                origin = null;
                yield BeginMessage.decode(new PgOutputReader(buffer, "Begin"));
            }
            case 'C' -> CommitMessage.decode(new PgOutputReader(buffer, "Commit"));
            case 'b' -> {
                origin = null;
                yield BeginPrepareMessage.decode(new PgOutputReader(buffer, "Begin Prepare"));
            }
            case 'P' -> PrepareMessage.decode(new PgOutputReader(buffer, "Prepare"));
            case 'K' -> CommitPreparedMessage.decode(new PgOutputReader(buffer, "Commit Prepared"));
            case 'r' -> RollbackPreparedMessage.decode(new PgOutputReader(buffer, "Rollback Prepared"));
            case 'O' -> {
                origin = OriginMessage.decode(new PgOutputReader(buffer, "Origin"));
                yield null;
            }
            case 'R' -> RelationMessage.decode(new PgOutputReader(buffer, "Relation"), relations);
            case 'Y' -> {
                TypeDescriptor type = TypeMessage.decode(new PgOutputReader(buffer, "Type"));
                types.put(type.oid(), type);
                yield null;
            }
            case 'I' -> new CaptureEvent.Change(InsertMessage.decode(new PgOutputReader(buffer, "Insert"), relations));
            case 'U' -> new CaptureEvent.Change(UpdateMessage.decode(new PgOutputReader(buffer, "Update"), relations));
            case 'D' -> new CaptureEvent.Change(DeleteMessage.decode(new PgOutputReader(buffer, "Delete"), relations));
            case 'T' -> new CaptureEvent.Change(TruncateMessage.decode(new PgOutputReader(buffer, "Truncate"), relations));
            case 'M' -> LogicalMessage.decode(new PgOutputReader(buffer, "Message"));
            default -> throw new PgOutputException(String.format(
                    "unknown pgoutput message kind '%s' (0x%02x); streaming and protocol versions other than 1 and 3 are not supported",
                    printable(kind), kind & 0xff));
        };
    }

    /** The table last described for a relation id, if a Relation message for it has been seen. */
    public Optional<RelationDescriptor> relation(int id) {
        return relations.find(id);
    }

    /** A non-built-in type named by a Type message, if one has been seen for that OID. */
    public Optional<TypeDescriptor> type(int oid) {
        return Optional.ofNullable(types.get(oid));
    }

    /**
     * The replication origin of the transaction being decoded, if its changes were themselves
     * replayed from elsewhere; lets a caller recognise its own writes coming back.
     */
    public Optional<String> origin() {
        return Optional.ofNullable(origin);
    }

    private static String printable(byte kind) {
        return kind >= 0x20 && kind < 0x7f ? String.valueOf((char) kind) : "?";
    }
}
