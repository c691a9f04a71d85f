package io.smarttag.hub.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The {@code tags} format: one JSON document per event, what a search index stores for a video.
 * The event's top-level fields, where it is archived, its tags as a list of
 * {@code {category, tag, times, faceUrl}} (times in milliseconds, in the order VOD gives them) and its
 * ASR sentences. Schema: docs/tags-document.schema.json. Built from the same parse as the database
 * rows (DataParser), so a document never says what the rows do not.
 */
public final class TagsDocument {

    private final ObjectMapper json;
    private final DataParser parser;

    public TagsDocument(ObjectMapper json) {
        this.json = json;
        this.parser = new DataParser(json);
    }

    /**
     * archiveKey, archiveLocation: the event's key in the default archive and its s3:// URI or file
     * path; null when no archive destination keeps it.
     */
    public ObjectNode of(VodEvent event, String archiveKey, String archiveLocation) throws InvalidEventException {
        ObjectNode document = json.createObjectNode();
        document.put("JobId", event.getJobId());
        document.put("MediaId", event.getMediaId());
        document.put("EventType", event.getEventType());
        document.put("Status", event.getStatus());
        document.put("Code", event.getCode());
        document.put("Message", event.getMessage());
        document.put("EventTime", event.getEventTime());
        if (archiveKey == null) {
            document.putNull("archive");
        } else {
            ObjectNode archive = document.putObject("archive");
            archive.put("key", archiveKey);
            archive.put("location", archiveLocation);
        }
        // Data as parsed at accept when the event came in memory, else parsed here
        TagResult result = !event.isTagEvent() ? TagResult.empty()
                : event.parsedData() != null ? event.parsedData() : parser.parse(event.getData());
        ArrayNode tags = document.putArray("tags");
        for (Map.Entry<String, List<TagItem>> category : result.categories().entrySet()) {
            for (TagItem item : category.getValue()) {
                ObjectNode tag = tags.addObject();
                tag.put("category", category.getKey());
                tag.put("tag", item.tag());
                ArrayNode times = tag.putArray("times");
                item.times().forEach(times::add);
                tag.put("faceUrl", item.faceUrl());
            }
        }
        ArrayNode asr = document.putArray("asr");
        for (AsrSentence sentence : result.asr()) {
            ObjectNode line = asr.addObject();
            line.put("seq", sentence.seq());
            line.put("startMs", sentence.startMs());
            line.put("endMs", sentence.endMs());
            line.put("text", sentence.text());
            line.put("channelId", sentence.channelId());
            line.put("speechRate", sentence.speechRate());
        }
        return document;
    }
}
