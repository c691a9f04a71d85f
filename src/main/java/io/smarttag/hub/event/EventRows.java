package io.smarttag.hub.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a smart-tag event into database rows: one tag row per occurrence (an item with n Times
 * gives n rows; an item without Times one row with timeMs null) and one row per ASR sentence.
 * The maps feed camel-sql batch inserts, whose named parameters are these keys.
 */
public class EventRows {

    private final DataParser parser;

    public EventRows() {
        this(new DataParser());
    }

    public EventRows(DataParser parser) {
        this.parser = parser;
    }

    public record Rows(List<Map<String, Object>> tags, List<Map<String, Object>> asr) {
        public int tagCount() {
            return tags.size();
        }

        /** Tag rows as values in column order, for the positional batch INSERT (see {@link #values}). */
        public List<List<Object>> tagValues() {
            return values(tags);
        }

        public List<List<Object>> asrValues() {
            return values(asr);
        }

        /**
         * camel-sql parses a statement's :#named parameters again for every row of a batch, which
         * cost more CPU than the rows themselves; with ? placeholders it just binds the values.
         */
        private static List<List<Object>> values(List<Map<String, Object>> rows) {
            List<List<Object>> values = new ArrayList<>(rows.size());
            for (Map<String, Object> row : rows) {
                values.add(new ArrayList<>(row.values()));
            }
            return values;
        }

        // Identity, not the record's deep default: Camel keys its bean-info cache by the object
        // a ${variable.rows.tagCount} is called on, and hashing every row of a 10,000-row event
        // on each call showed up in profiles.
        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    public Rows rows(VodEvent event) throws InvalidEventException {
        TagResult result = event.parsedData() != null ? event.parsedData() : parser.parse(event.getData());
        List<Map<String, Object>> tags = new ArrayList<>();
        for (Map.Entry<String, List<TagItem>> category : result.categories().entrySet()) {
            int itemIndex = 0;
            for (TagItem item : category.getValue()) {
                List<Long> times = item.times().isEmpty() ? java.util.Collections.singletonList(null) : item.times();
                for (Long time : times) {
                    // insertion order = column order of the INSERT in destination-database.yaml
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("jobId", event.getJobId());
                    row.put("mediaId", event.getMediaId());
                    row.put("category", category.getKey());
                    row.put("tag", item.tag());
                    row.put("timeMs", time);
                    row.put("faceUrl", item.faceUrl());
                    row.put("itemIndex", itemIndex);
                    tags.add(row);
                }
                itemIndex++;
            }
        }
        List<Map<String, Object>> asr = new ArrayList<>();
        for (AsrSentence sentence : result.asr()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("jobId", event.getJobId());
            row.put("seq", sentence.seq());
            row.put("startMs", sentence.startMs());
            row.put("endMs", sentence.endMs());
            row.put("text", sentence.text());
            row.put("channelId", sentence.channelId());
            row.put("speechRate", sentence.speechRate());
            asr.add(row);
        }
        return new Rows(tags, asr);
    }
}
