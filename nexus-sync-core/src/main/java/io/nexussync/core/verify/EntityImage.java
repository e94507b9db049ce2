package io.nexussync.core.verify;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entity reduced to what verify compares, the same shape on both sides: its key, whether it is there (a temporal
 * relationship is there while it has an open version), and its facets, each a name and a {@link CanonicalValue}
 * text: {@code p:<property>} per property, {@code xref} (the cross-reference), {@code link:<n>} (the nodes a
 * foreign key's relationship reaches), {@code count} (a relationship there more than once), {@code history:<problem>}.
 * Two images are equal when their hashes are (a 64-bit hash of the key and everything above), which is what a range's
 * digest sums.
 */
public final class EntityImage {
    static final String PROPERTY = "p:";
    static final String CROSS_REFERENCE = "xref";
    static final String LINK = "link:";
    static final String COUNT = "count";
    static final String HISTORY = "history:";
    static final String UNMAPPABLE = "unmappable";

    private final String key;
    private final boolean present;
    private final SortedMap<String, String> facets;
    private final String elementId;
    private final long hash;

    EntityImage(String key, boolean present, Map<String, String> facets, String elementId) {
        this.key = Objects.requireNonNull(key);
        this.present = present;
        this.facets = Collections.unmodifiableSortedMap(new TreeMap<>(facets));
        this.elementId = elementId;
        this.hash = present || !this.facets.isEmpty() ? hash(key, present, this.facets) : 0L;
    }

    /** Nothing there: what a missing row, or a key the graph lacks, compares as. */
    static EntityImage absent(String key) {
        return new EntityImage(key, false, Map.of(), null);
    }

    public String key() {
        return key;
    }

    public boolean present() {
        return present;
    }

    public SortedMap<String, String> facets() {
        return facets;
    }

    /** The graph node's elementId (graph side only), for findings. */
    public String elementId() {
        return elementId;
    }

    /** 0 for an absent image, so an absent entity adds nothing to a range's hash sum. */
    public long hash() {
        return hash;
    }

    public boolean sameAs(EntityImage other) {
        return hash == other.hash && present == other.present && facets.equals(other.facets);
    }

    private static long hash(String key, boolean present, SortedMap<String, String> facets) {
        long h = 0xcbf29ce484222325L;
        // The key too, as data-diff hashes it: else one entity missing and another with the same values extra in the same
        // range cancel out in its sum (join rows of one tag often carry equal values, and only their pair differs).
        h = mix(h, key);
        h = mix(h, present ? "+" : "-");
        for (var facet : facets.entrySet()) {
            h = mix(h, facet.getKey());
            h = mix(h, facet.getValue());
        }
        // FNV-1a spreads poorly over the high bits for short inputs; a final avalanche (SplitMix64) evens it out.
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h == 0 ? 1 : h;
    }

    private static long mix(long h, String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        // A separator no UTF-8 text contains, so ("ab","c") and ("a","bc") differ.
        h ^= 0xff;
        h *= 0x100000001b3L;
        return h;
    }

    @Override
    public String toString() {
        return EntityKeys.display(key) + (present ? " " : " (absent) ") + facets.keySet();
    }
}
