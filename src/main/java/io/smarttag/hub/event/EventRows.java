package io.smarttag.hub.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a smart-tag event into database rows: one tag row per occurrence (an item with n Times
 * gives n rows; an item without Times one row with timeMs null) and one row per ASR sentence.
 * {@link #rows} gives them as maps keyed by the named parameters of the user's own tables (the sql
 * destination); {@link #values} gives them to the hub's database destination one at a time.
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
    }

    /**
     * The rows of an event as the database destination writes them: counted up front, then produced
     * one at a time into the writer (no row objects held; a 10,000-row event held about 5 MB of maps
     * and value lists while its transaction ran). Column order: tag-insert.sql and asr-insert.sql
     * ({@link #TAG_COLUMNS}, {@link #ASR_COLUMNS}).
     */
    public Values values(VodEvent event) throws InvalidEventException {
        TagResult result = event.parsedData() != null ? event.parsedData() : parser.parse(event.getData());
        return new Values(event.getJobId(), event.getMediaId(), result);
    }

    /** The names of a tag row's values in the order {@link Values#tags} gives them (the keys of {@link #rows}' maps). */
    public static final List<String> TAG_COLUMNS = List.of("jobId", "mediaId", "category", "tag", "timeMs", "faceUrl", "itemIndex");
    /** The names of an ASR row's values in the order {@link Values#asr} gives them. */
    public static final List<String> ASR_COLUMNS = List.of("jobId", "seq", "startMs", "endMs", "text", "channelId", "speechRate");

    /** Receives one row's column values; the array is reused for the next row. */
    @FunctionalInterface
    public interface RowSink {
        void add(Object[] values) throws java.sql.SQLException;
    }

    /** An event's tag and ASR rows, produced on demand (see {@link #values}). */
    public static final class Values {

        private static final Values NONE = new Values(null, null, TagResult.empty());

        private final String jobId;
        private final String mediaId;
        private final TagResult result;
        private final int tagCount;

        private Values(String jobId, String mediaId, TagResult result) {
            this.jobId = jobId;
            this.mediaId = mediaId;
            this.result = result;
            int count = 0;
            for (List<TagItem> items : result.categories().values()) {
                for (TagItem item : items) {
                    count += Math.max(1, item.times().size());
                }
            }
            this.tagCount = count;
        }

        /** No rows: a failed job or an event that is not a smart-tag result. */
        public static Values none() {
            return NONE;
        }

        /** Tag rows: one per occurrence (an item without Times gives one row with timeMs null). */
        public int tagCount() {
            return tagCount;
        }

        public int asrCount() {
            return result.asr().size();
        }

        /** jobId, mediaId, category, tag, timeMs, faceUrl, itemIndex of every tag row, in document order. */
        public void tags(RowSink sink) throws java.sql.SQLException {
            Object[] row = new Object[7];
            row[0] = jobId;
            row[1] = mediaId;
            for (Map.Entry<String, List<TagItem>> category : result.categories().entrySet()) {
                row[2] = category.getKey();
                int itemIndex = 0;
                for (TagItem item : category.getValue()) {
                    row[3] = item.tag();
                    row[5] = item.faceUrl();
                    row[6] = itemIndex++;
                    if (item.times().isEmpty()) {
                        row[4] = null;
                        sink.add(row);
                    }
                    for (Long time : item.times()) {
                        row[4] = time;
                        sink.add(row);
                    }
                }
            }
        }

        /** jobId, seq, startMs, endMs, text, channelId, speechRate of every ASR sentence. */
        public void asr(RowSink sink) throws java.sql.SQLException {
            Object[] row = new Object[7];
            row[0] = jobId;
            for (AsrSentence sentence : result.asr()) {
                row[1] = sentence.seq();
                row[2] = sentence.startMs();
                row[3] = sentence.endMs();
                row[4] = sentence.text();
                row[5] = sentence.channelId();
                row[6] = sentence.speechRate();
                sink.add(row);
            }
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
