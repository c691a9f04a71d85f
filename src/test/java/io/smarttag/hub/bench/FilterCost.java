package io.smarttag.hub.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.archive.ArchiveTarget;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.EventFilter;
import io.smarttag.hub.destination.Payloads;
import io.smarttag.hub.event.EventView;
import io.smarttag.hub.event.VodEvent;
import io.smarttag.hub.inbox.EventWork;
import io.smarttag.hub.testsupport.Samples;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a destination's filter and format cost per event, in microseconds, on the seed event: a loop
 * harness, run by hand (not a test: speed is not asserted anywhere):
 * {@code java -cp target/classes:target/test-classes:<deps> io.smarttag.hub.bench.FilterCost [seconds]}.
 * Numbers are in docs/destinations.md.
 */
public final class FilterCost {

    private static final String[] PATTERNS = {
        "{\"Data\":{\"Person\":{\"Tag\":[{\"exists\":true}]}}}",
        "{\"MediaId\":[{\"prefix\":\"sj83\"}]}",
        "{\"Data\":{\"Person\":{\"Times\":[{\"numeric\":[\">\",10000]}]}}}",
        "{\"Status\":[\"fail\"],\"Code\":[{\"anything-but\":[\"InternalError\"]}]}",
        "{\"$or\":[{\"Data\":{\"Person\":{\"Tag\":[{\"exists\":true}]}}},{\"Code\":[{\"prefix\":\"Invalid\"}]}]}",
    };

    private FilterCost() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        byte[] raw = Samples.seed();
        EventView views = new EventView();
        List<EventFilter> filters = java.util.Arrays.stream(PATTERNS).map(p -> EventFilter.compile("bench", p)).toList();
        JsonNode view = views.of(raw);
        ObjectMapper json = new ObjectMapper();
        VodEvent event = json.readValue(raw, VodEvent.class);
        Payloads payloads = new Payloads(json, new ArchiveTarget("b", "d"), true, "urn:smarttag-hub:vod", "com.aliyun.vod.");

        measure("view of the seed (Data parsed, Times as numbers)", seconds, () -> views.of(raw));
        for (int i = 0; i < PATTERNS.length; i++) {
            EventFilter filter = filters.get(i);
            measure("match " + PATTERNS[i], seconds, () -> filter.takes(view));
        }
        measure("one filtered destination: view + Person match", seconds, () -> filters.get(0).takes(views.of(raw)));
        measure("five filtered destinations: one view + five matches", seconds, () -> {
            JsonNode v = views.of(raw);
            for (EventFilter f : filters) {
                f.takes(v);
            }
            return v;
        });
        for (String format : Payloads.FORMATS) {
            Destination destination = new Destination("d", "webhook", Set.of("success"),
                    key -> key.equals("hub.destination.d.format") ? format : null);
            measure("format " + format, seconds, () -> {
                EventWork work = new EventWork("id", raw, OffsetDateTime.now(), 1, Map.of(), OffsetDateTime.now());
                work.setEvent(event);
                work.setArchiveKey(new ArchiveKeys("p").keyFor(event));
                return payloads.render(work, destination);
            });
        }
    }

    interface Step {
        Object run() throws Exception;
    }

    private static void measure(String what, double seconds, Step step) throws Exception {
        long warmEnd = System.nanoTime() + (long) (seconds * 1e9 / 2);
        while (System.nanoTime() < warmEnd) {
            step.run();
        }
        // CPU time of this thread, not wall time: on a shared machine the wall clock counts other
        // programs' turns on the cores too
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long runs = 0;
        long start = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long end = start + (long) (seconds * 1e9);
        Object sink = null;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                sink = step.run();
            }
            runs += 100;
        }
        double cpuMicros = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3 / runs;
        double wallMicros = (System.nanoTime() - start) / 1e3 / runs;
        System.out.printf("%8.2f us CPU %8.2f us wall  %s%s%n", cpuMicros, wallMicros, what, sink == null ? "" : "");
    }
}
