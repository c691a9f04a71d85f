package io.smarttag.hub.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A VOD event notification as received. Data stays a JsonNode: VOD sends a JSON string holding
 * the result document, some senders an object; {@link DataParser} reads either.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class VodEvent {

    public static final String TAG_EVENT = "AIVideoTagComplete";

    @JsonProperty("EventTime")
    private String eventTime;
    @JsonProperty("EventType")
    private String eventType;
    @JsonProperty("JobId")
    private String jobId;
    @JsonProperty("MediaId")
    private String mediaId;
    @JsonProperty("Status")
    private String status;
    @JsonProperty("Code")
    private String code;
    @JsonProperty("Message")
    private String message;
    @JsonProperty("Data")
    private JsonNode data;
    /**
     * Data as the validator parsed it at accept, when this event is handed to processing in memory
     * (EventRows then reads it instead of parsing Data again); never serialized.
     */
    @JsonIgnore
    private TagResult parsedData;

    /** Data as parsed at accept, or null (an event unmarshalled from the inbox). */
    public TagResult parsedData() {
        return parsedData;
    }

    public void keepParsedData(TagResult parsed) {
        this.parsedData = parsed;
    }

    /**
     * What makes two deliveries the same event (EventType|JobId|Status): the inbox deduplicates on it,
     * and a CloudEvent's id is derived from it, so a replay or a backfill from the archive sends the same id.
     */
    public String dedupKey() {
        return eventType + "|" + jobId + "|" + status;
    }

    public boolean isTagEvent() {
        return TAG_EVENT.equals(eventType);
    }

    public String getEventTime() {
        return eventTime;
    }

    public void setEventTime(String eventTime) {
        this.eventTime = eventTime;
    }

    public String getEventType() {
        return eventType;
    }

    public void setEventType(String eventType) {
        this.eventType = eventType;
    }

    public String getJobId() {
        return jobId;
    }

    public void setJobId(String jobId) {
        this.jobId = jobId;
    }

    public String getMediaId() {
        return mediaId;
    }

    public void setMediaId(String mediaId) {
        this.mediaId = mediaId;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public String getCode() {
        return code;
    }

    public void setCode(String code) {
        this.code = code;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public JsonNode getData() {
        return data;
    }

    public void setData(JsonNode data) {
        this.data = data;
    }

    @Override
    public String toString() {
        return eventType + " job " + jobId + " (" + status + ")";
    }
}
