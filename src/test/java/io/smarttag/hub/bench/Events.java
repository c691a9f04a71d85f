package io.smarttag.hub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.testsupport.Samples;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's events: the vendor's seed sample (44 tag occurrences) and a generated large
 * event (2,000 tags x 5 Times = 10,000 occurrences), each as a template whose JobId is swapped per
 * request, so every request is a new job and the hub's dedup never turns one into a no-op.
 */
final class Events {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] before;
    private final byte[] after;
    final int tagRows;
    final int size;

    private Events(byte[] event, int tagRows) {
        String marker = "\"JobId\":\"";
        String text = new String(event, StandardCharsets.UTF_8);
        int start = text.indexOf(marker);
        int end = text.indexOf('"', start + marker.length());
        if (start < 0 || end < 0) {
            throw new IllegalArgumentException("event without a compact \"JobId\":\"...\" field");
        }
        this.before = text.substring(0, start + marker.length()).getBytes(StandardCharsets.UTF_8);
        this.after = text.substring(end).getBytes(StandardCharsets.UTF_8);
        this.tagRows = tagRows;
        this.size = event.length;
    }

    /** The seed sample re-serialized compactly (so the JobId field is found by text), 44 tag rows. */
    static Events seed() throws Exception {
        return new Events(JSON.writeValueAsBytes(JSON.readTree(Samples.seed())), 44);
    }

    /** tags items spread over the categories, each with `times` Times; Person items carry a FaceUrl. */
    static Events large(int tags, int times) throws Exception {
        String[] categories = {"Keyword", "Person", "Location", "Time", "Category"};
        Map<String, List<Map<String, Object>>> data = new LinkedHashMap<>();
        for (int i = 0; i < tags; i++) {
            String category = categories[i % categories.length];
            Map<String, Object> item = new LinkedHashMap<>();
            List<String> t = new ArrayList<>();
            for (int k = 0; k < times; k++) {
                t.add(String.valueOf(1000L * i + 37L * k));
            }
            item.put("Times", t);
            item.put("Tag", category.toLowerCase() + "-tag-" + i);
            if ("Person".equals(category)) {
                item.put("FaceUrl", "http://test.com/aivideotag/bench/Index_" + i + ".jpg");
            }
            data.computeIfAbsent(category, c -> new ArrayList<>()).add(item);
        }
        byte[] event = Samples.with(Samples.seed(), "JobId", "large-template", "Data", JSON.writeValueAsString(data));
        return new Events(JSON.writeValueAsBytes(JSON.readTree(event)), tags * times);
    }

    byte[] withJobId(String jobId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(before.length + after.length + jobId.length());
        out.writeBytes(before);
        out.writeBytes(jobId.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(after);
        return out.toByteArray();
    }
}
