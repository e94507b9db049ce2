package io.nexussync.bench.jmh;

import static io.nexussync.bench.jmh.ContextNexusWire.CONTENT_ITEMS;
import static io.nexussync.bench.jmh.ContextNexusWire.CONTENT_ITEM_COLUMNS;
import static io.nexussync.bench.jmh.ContextNexusWire.CONTENT_TAGS;
import static io.nexussync.bench.jmh.ContextNexusWire.CONTENT_TAG_COLUMNS;
import static io.nexussync.bench.jmh.ContextNexusWire.MESSAGES;
import static io.nexussync.bench.jmh.ContextNexusWire.MESSAGE_COLUMNS;
import static io.nexussync.bench.jmh.ContextNexusWire.TAGS;
import static io.nexussync.bench.jmh.ContextNexusWire.THREADS;
import static io.nexussync.bench.jmh.ContextNexusWire.THREAD_COLUMNS;
import static io.nexussync.bench.jmh.ContextNexusWire.THREAD_CONTENT;
import static io.nexussync.bench.jmh.ContextNexusWire.THREAD_CONTENT_COLUMNS;
import static io.nexussync.bench.jmh.ContextNexusWire.uuid;

import io.nexussync.core.model.CaptureEvent;
import io.nexussync.core.model.SourceChange;
import io.nexussync.postgres.pgoutput.PgOutputDecoder;
import io.nexussync.testkit.pgoutput.PgOutputMessages;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded stream of application transactions on the ContextNexus tables, shaped like the contract's
 * workload (and the demo's ContextNexusWorkload): new content, threads, messages and tags; edits,
 * most of them on a few hot entities; thread-link and tag-link churn; deletes. Entities it touches
 * first already exist (a pool "in the graph"), or were created earlier in the stream. The stream is
 * the pgoutput messages (Begin, changes, Commit); {@link #decode} turns it into what the planner gets.
 */
final class MixedStream {
    /** Entities assumed to exist before the stream starts. */
    private static final int POOL_CONTENT = 2_000, POOL_THREADS = 200, POOL_MESSAGES = 2_000, POOL_TAGS = 100;
    /** How many entities take half of all updates. */
    private static final int HOT = 5;

    private final Random random;
    private final List<String> content = new ArrayList<>();
    private final List<String> threads = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private final List<String[]> includes = new ArrayList<>();
    private final List<String[]> tagged = new ArrayList<>();
    private final Map<String, Long> versions = new HashMap<>();
    private long lsn = 0x1_0000_0000L;
    private long commitMicros = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli() * 1_000;
    private int xid = 1_000;

    private MixedStream(long seed) {
        random = new Random(seed);
        fill(content, POOL_CONTENT);
        fill(threads, POOL_THREADS);
        fill(messages, POOL_MESSAGES);
        fill(tags, POOL_TAGS);
    }

    /** The messages of whole transactions of 1-5 row changes each, at least {@code changes} of them, the Relation messages first. */
    static List<ByteBuffer> messages(int changes, long seed) {
        MixedStream stream = new MixedStream(seed);
        List<ByteBuffer> out = new ArrayList<>(ContextNexusWire.relations());
        int made = 0;
        while (made < changes) {
            made += stream.transaction(out);
        }
        return out;
    }

    /** The stream decoded by the product's decoder into the planner's input, exactly {@code changes} of them. */
    static List<SourceChange> changes(int changes, long seed) {
        return decode(messages(changes, seed)).subList(0, changes);
    }

    static List<SourceChange> decode(List<ByteBuffer> messages) {
        PgOutputDecoder decoder = new PgOutputDecoder();
        List<SourceChange> changes = new ArrayList<>();
        CaptureEvent.Begin begin = null;
        for (ByteBuffer message : messages) {
            CaptureEvent event = decoder.decode(message);
            if (event instanceof CaptureEvent.Begin b) {
                begin = b;
            } else if (event instanceof CaptureEvent.Change c) {
                changes.add(new SourceChange(c.change(), begin.finalLsn(), begin.commitTime()));
            }
        }
        return changes;
    }

    private int transaction(List<ByteBuffer> out) {
        commitMicros += 200 + random.nextInt(400);
        lsn += 0x200;
        long finalLsn = lsn + 0x100;
        Instant at = Instant.ofEpochSecond(commitMicros / 1_000_000, (commitMicros % 1_000_000) * 1_000);
        out.add(PgOutputMessages.begin(finalLsn, commitMicros - PgOutputMessages.POSTGRES_EPOCH_MICROS, xid++));
        int operations = 1 + random.nextInt(5);
        int changes = 0;
        for (int i = 0; i < operations; i++) {
            changes += operation(out, at);
        }
        out.add(PgOutputMessages.commit(finalLsn, finalLsn + 0x30, commitMicros - PgOutputMessages.POSTGRES_EPOCH_MICROS));
        return changes;
    }

    /** One application statement; returns the row changes it logged (a delete of content logs its links' deletes too). */
    private int operation(List<ByteBuffer> out, Instant at) {
        int dice = random.nextInt(100);
        if (dice < 12) {
            String id = add(content);
            out.add(PgOutputMessages.insert(CONTENT_ITEMS, ContextNexusWire.contentItem(id, 1, at, random, false)));
        } else if (dice < 16) {
            String id = add(threads);
            out.add(PgOutputMessages.insert(THREADS, ContextNexusWire.thread(id, 1, at, random)));
        } else if (dice < 26) {
            String id = add(messages);
            out.add(PgOutputMessages.insert(MESSAGES, ContextNexusWire.message(id, pick(threads), 1, at, random)));
        } else if (dice < 46) {
            String id = hotOrAny(content);
            // a quarter of the edits leave a TOASTed body alone: 'u' on the wire
            out.add(PgOutputMessages.update(CONTENT_ITEMS, ContextNexusWire.contentItem(id, bump(id), at, random, random.nextInt(4) == 0)));
        } else if (dice < 50) {
            String id = hotOrAny(threads);
            out.add(PgOutputMessages.update(THREADS, ContextNexusWire.thread(id, bump(id), at, random)));
        } else if (dice < 54) {
            String id = hotOrAny(messages);
            out.add(PgOutputMessages.update(MESSAGES, ContextNexusWire.message(id, pick(threads), bump(id), at, random)));
        } else if (dice < 64) {
            // link churn: a new INCLUDES, or a new version of an existing one
            String[] pair = includes.isEmpty() || random.nextBoolean() ? newPair(includes, threads, content) : includes.get(random.nextInt(includes.size()));
            String key = "tc:" + pair[0] + pair[1];
            long version = bump(key);
            ByteBuffer row = version == 1
                    ? PgOutputMessages.insert(THREAD_CONTENT, ContextNexusWire.threadContent(pair[0], pair[1], 1, at, random))
                    : PgOutputMessages.update(THREAD_CONTENT, ContextNexusWire.threadContent(pair[0], pair[1], version, at, random));
            out.add(row);
        } else if (dice < 68 && !includes.isEmpty()) {
            String[] pair = includes.remove(random.nextInt(includes.size()));
            out.add(PgOutputMessages.delete(THREAD_CONTENT, ContextNexusWire.key(THREAD_CONTENT_COLUMNS, pair[0], pair[1])));
        } else if (dice < 78) {
            String[] pair = newPair(tagged, content, tags);
            out.add(PgOutputMessages.insert(CONTENT_TAGS, ContextNexusWire.contentTag(pair[0], pair[1], at, random)));
        } else if (dice < 82 && !tagged.isEmpty()) {
            String[] pair = tagged.remove(random.nextInt(tagged.size()));
            out.add(PgOutputMessages.delete(CONTENT_TAGS, ContextNexusWire.key(CONTENT_TAG_COLUMNS, pair[0], pair[1])));
        } else if (dice < 85) {
            out.add(PgOutputMessages.insert(TAGS, ContextNexusWire.tag(add(tags), at, random)));
        } else if (dice < 92) {
            return deleteContent(out);
        } else if (dice < 97) {
            String id = removeAny(messages);
            out.add(PgOutputMessages.delete(MESSAGES, ContextNexusWire.key(MESSAGE_COLUMNS, id)));
        } else {
            return deleteThread(out);
        }
        return 1;
    }

    /** The thread and, before it as ON DELETE CASCADE logs them, its INCLUDES rows (its messages are not tracked by thread). */
    private int deleteThread(List<ByteBuffer> out) {
        String id = removeAny(threads);
        int changes = 1;
        for (int i = includes.size() - 1; i >= 0; i--) {
            if (includes.get(i)[0].equals(id)) {
                String[] pair = includes.remove(i);
                out.add(PgOutputMessages.delete(THREAD_CONTENT, ContextNexusWire.key(THREAD_CONTENT_COLUMNS, pair[0], pair[1])));
                changes++;
            }
        }
        out.add(PgOutputMessages.delete(THREADS, ContextNexusWire.key(THREAD_COLUMNS, id)));
        return changes;
    }

    /** The content row and, before it as ON DELETE CASCADE logs them, the link rows that named it. */
    private int deleteContent(List<ByteBuffer> out) {
        String id = content.remove(HOT + random.nextInt(content.size() - HOT));
        int changes = 1;
        for (int i = includes.size() - 1; i >= 0; i--) {
            if (includes.get(i)[1].equals(id)) {
                String[] pair = includes.remove(i);
                out.add(PgOutputMessages.delete(THREAD_CONTENT, ContextNexusWire.key(THREAD_CONTENT_COLUMNS, pair[0], pair[1])));
                changes++;
            }
        }
        for (int i = tagged.size() - 1; i >= 0; i--) {
            if (tagged.get(i)[0].equals(id)) {
                String[] pair = tagged.remove(i);
                out.add(PgOutputMessages.delete(CONTENT_TAGS, ContextNexusWire.key(CONTENT_TAG_COLUMNS, pair[0], pair[1])));
                changes++;
            }
        }
        out.add(PgOutputMessages.delete(CONTENT_ITEMS, ContextNexusWire.key(CONTENT_ITEM_COLUMNS, id)));
        return changes;
    }

    private String[] newPair(List<String[]> pairs, List<String> from, List<String> to) {
        String[] pair = {pick(from), pick(to)};
        pairs.add(pair);
        return pair;
    }

    private void fill(List<String> ids, int count) {
        for (int i = 0; i < count; i++) {
            add(ids);
        }
    }

    private String add(List<String> ids) {
        String id = uuid(random);
        ids.add(id);
        return id;
    }

    private String pick(List<String> ids) {
        return ids.get(random.nextInt(ids.size()));
    }

    /** Half the updates go to the first few entities (never deleted), the rest anywhere. */
    private String hotOrAny(List<String> ids) {
        return random.nextBoolean() ? ids.get(random.nextInt(HOT)) : pick(ids);
    }

    /** Never one of the hot few, and never the last of a kind. */
    private String removeAny(List<String> ids) {
        return ids.remove(HOT + random.nextInt(ids.size() - HOT));
    }

    /** The entity's next pg_version (1 for one not seen yet: a pool entity's first edit is its version 2). */
    private long bump(String key) {
        return versions.merge(key, versions.containsKey(key) || key.startsWith("tc:") ? 1L : 2L, Long::sum);
    }
}
