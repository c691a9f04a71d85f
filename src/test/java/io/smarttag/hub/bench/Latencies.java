package io.smarttag.hub.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds (one growable array per load thread, merged at the end). */
final class Latencies {

    private long[] values = new long[4096];
    private int size;

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    static Latencies merge(Iterable<Latencies> parts) {
        Latencies all = new Latencies();
        for (Latencies part : parts) {
            for (int i = 0; i < part.size; i++) {
                all.add(part.values[i]);
            }
        }
        Arrays.sort(all.values, 0, all.size);
        return all;
    }

    int count() {
        return size;
    }

    /** Nearest-rank percentile in milliseconds, of a merged (sorted) set. */
    double percentileMs(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * size);
        return values[Math.min(size, Math.max(1, rank)) - 1] / 1e6;
    }

    double maxMs() {
        return size == 0 ? Double.NaN : values[size - 1] / 1e6;
    }
}
