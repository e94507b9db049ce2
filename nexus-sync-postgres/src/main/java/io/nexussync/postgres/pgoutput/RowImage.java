package io.nexussync.postgres.pgoutput;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A decoded row: its values in an array, over column names and positions shared by every row of the relation
 * ({@link Layout}, made once per Relation message). Read-only, in column order, equal to any map with the same
 * entries. A backlog read decodes hundreds of thousands of rows a second; a LinkedHashMap of a dozen entries each
 * made a quarter of the capture thread's garbage beside the values themselves.
 */
final class RowImage extends AbstractMap<String, Object> {
    private final Layout layout;
    private final Object[] values;

    RowImage(Layout layout, Object[] values) {
        this.layout = layout;
        this.values = values;
    }

    @Override
    public Object get(Object column) {
        Integer slot = layout.slots.get(column);
        return slot == null ? null : values[slot];
    }

    @Override
    public boolean containsKey(Object column) {
        return layout.slots.containsKey(column);
    }

    @Override
    public boolean containsValue(Object value) {
        for (Object v : values) {
            if (Objects.equals(v, value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public Set<String> keySet() {
        return layout.names;
    }

    @Override
    public Collection<Object> values() {
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
        for (int i = 0; i < values.length; i++) {
            action.accept(layout.nameOfSlot[i], values[i]);
        }
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(layout.nameOfSlot[i], values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }

    /**
     * Which of a relation's columns a row keeps, in which slot: all of them, or (for an old key tuple) only the replica
     * identity's.
     */
    static final class Layout {
        /** Per column of the relation, its slot in a row's values, or -1 when the row does not keep it. */
        final int[] slotOfColumn;
        final String[] nameOfSlot;
        final Map<String, Integer> slots;
        final Set<String> names;

        Layout(List<ColumnDescriptor> columns, boolean keyOnly) {
            slotOfColumn = new int[columns.size()];
            List<String> kept = new java.util.ArrayList<>();
            Map<String, Integer> bySlot = new java.util.HashMap<>();
            for (int c = 0; c < columns.size(); c++) {
                ColumnDescriptor column = columns.get(c);
                if (!keyOnly || column.key()) {
                    slotOfColumn[c] = kept.size();
                    bySlot.put(column.name(), kept.size());
                    kept.add(column.name());
                } else {
                    slotOfColumn[c] = -1;
                }
            }
            nameOfSlot = kept.toArray(String[]::new);
            slots = Map.copyOf(bySlot);
            names = Collections.unmodifiableSet(new java.util.LinkedHashSet<>(kept));
        }

        int width() {
            return nameOfSlot.length;
        }

        /** Equal when made from the same columns the same way: what a RelationDescriptor's equality needs. */
        @Override
        public boolean equals(Object other) {
            return other instanceof Layout that && Arrays.equals(slotOfColumn, that.slotOfColumn) && Arrays.equals(nameOfSlot, that.nameOfSlot);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(slotOfColumn) + Arrays.hashCode(nameOfSlot);
        }

        @Override
        public String toString() {
            return Arrays.toString(nameOfSlot);
        }
    }
}
