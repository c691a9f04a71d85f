package io.smarttag.hub.event;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * A tag's Times as a read-only list over a {@code long[]}. An ArrayList of boxed Longs took about
 * three times the heap (a Long object and a reference per time): 10,000 times, a large event's, were
 * some 250 KB instead of 80 KB while the event waited and was written (issue 21).
 */
final class Millis extends AbstractList<Long> implements RandomAccess {

    static final Millis NONE = new Millis(new long[0], 0);

    private final long[] values;
    private final int size;

    private Millis(long[] values, int size) {
        this.values = values;
        this.size = size;
    }

    @Override
    public Long get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return values[index];
    }

    @Override
    public int size() {
        return size;
    }

    /** Collects times in order; {@link #build} trims the array to the count. */
    static final class Builder {

        private long[] values = new long[8];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        Millis build() {
            return size == 0 ? NONE : new Millis(size == values.length ? values : Arrays.copyOf(values, size), size);
        }
    }
}
