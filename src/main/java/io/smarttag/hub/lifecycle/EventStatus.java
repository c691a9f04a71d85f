package io.smarttag.hub.lifecycle;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.db.Timestamps;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.event.VodEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;

/**
 * "Where is job X?": every event of a job in the inbox with its source, receipt time, state and
 * archive key, and per destination its state, attempts, last error and time done (the JSON of
 * GET /observe/events and the /ops search, contract 3 of docs: a `check` command reads it).
 *
 * <p>After retention deleted a job's events the inbox has nothing: the job row, which stays, says
 * where its latest event is archived, and the answer says the events are past retention
 * (pastRetention true, archiveHint the archive key). Without a database destination there is no
 * job row and the answer for such a job is an empty list (documented in docs/operations.md).
 */
public class EventStatus {

    /** JobIds of the hub's own test events (issue 20's `check` command) start with this. */
    public static final String TEST_JOB_PREFIX = "smarttag-check-";

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String INBOX = SqlFiles.load("event-status-inbox");
    private static final String DELIVERIES = SqlFiles.load("event-status-deliveries");
    private static final String JOB = SqlFiles.load("event-status-job");

    private final DataSource dataSource;
    private final Destinations destinations;
    private final ArchiveKeys archiveKeys;

    public EventStatus(DataSource dataSource, Destinations destinations, ArchiveKeys archiveKeys) {
        this.dataSource = dataSource;
        this.destinations = destinations;
        this.archiveKeys = archiveKeys;
    }

    public ObjectNode of(String jobId) throws SQLException {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("job", jobId);
        ArrayNode events = answer.putArray("events");
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement inbox = c.prepareStatement(INBOX)) {
                inbox.setString(1, jobId);
                try (ResultSet row = inbox.executeQuery()) {
                    while (row.next()) {
                        events.add(event(c, row, jobId));
                    }
                }
            }
            answer.put("pastRetention", false);
            answer.putNull("archiveHint");
            if (events.isEmpty()) {
                try (PreparedStatement job = c.prepareStatement(JOB)) {
                    job.setString(1, jobId);
                    try (ResultSet row = job.executeQuery()) {
                        if (row.next()) {
                            answer.put("pastRetention", true);
                            answer.put("archiveHint", row.getString("archive_key"));
                        }
                    }
                }
            }
        }
        return answer;
    }

    private ObjectNode event(Connection c, ResultSet row, String jobId) throws SQLException {
        ObjectNode event = JSON.createObjectNode();
        String id = row.getString("id");
        String state = row.getString("state");
        String eventType = row.getString("event_type");
        String status = row.getString("status");
        event.put("inboxId", id);
        event.put("source", row.getString("source"));
        event.put("receivedAt", time(row.getObject("received_at")));
        event.put("eventType", eventType);
        event.put("status", status);
        event.put("state", state);
        event.put("test", jobId.startsWith(TEST_JOB_PREFIX));
        String archive = row.getString("archive_key");
        event.put("archive", archive != null ? archive : keyOf(row.getBytes("body")));
        ArrayNode list = event.putArray("destinations");
        Set<String> recorded = new HashSet<>();
        try (PreparedStatement deliveries = c.prepareStatement(DELIVERIES)) {
            deliveries.setString(1, id);
            try (ResultSet d = deliveries.executeQuery()) {
                while (d.next()) {
                    recorded.add(d.getString("destination"));
                    list.addObject()
                            .put("name", d.getString("destination"))
                            .put("state", d.getString("state"))
                            .put("attempts", d.getInt("attempts"))
                            .put("lastError", d.getString("last_error"))
                            .put("doneAt", time(d.getObject("done_at")));
                }
            }
        }
        if (!"done".equals(state)) {
            // destinations that take the event and have not been tried yet: owed, so pending
            String kind = !VodEvent.TAG_EVENT.equals(eventType) ? "other" : "success".equals(status) ? "success" : "fail";
            for (Destination destination : destinations.taking(kind)) {
                if (!recorded.contains(destination.name())) {
                    list.addObject().put("name", destination.name()).put("state", "pending").put("attempts", 0)
                            .putNull("lastError").putNull("doneAt");
                }
            }
        }
        return event;
    }

    /** The key in the default archive of an event not finished yet (finish writes it to the row). */
    private String keyOf(byte[] body) {
        try {
            return archiveKeys.keyFor(JSON.readValue(body, VodEvent.class));
        } catch (Exception unreadable) {
            return null;
        }
    }

    private static String time(Object value) {
        OffsetDateTime time = Timestamps.utc(value);
        return time == null ? null : time.toString();
    }
}
