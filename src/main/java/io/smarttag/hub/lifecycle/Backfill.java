package io.smarttag.hub.lifecycle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smarttag.hub.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** One row of smarttag_backfill: a backfill's range, state, checkpoint and progress. */
public record Backfill(String id, String destination, String archive, LocalDate from, LocalDate to, Set<String> kinds,
                       String filter, String state, Long listed, String cursor, long handled, long delivered, long skipped,
                       long failed, long parked, String owner, OffsetDateTime startedAt, OffsetDateTime createdAt,
                       OffsetDateTime finishedAt, String lastError) {

    public static final String RUNNING = "running";

    static Backfill of(ResultSet row) throws SQLException {
        long listed = row.getLong("listed");
        boolean notCounted = row.wasNull();
        String kinds = row.getString("kinds");
        return new Backfill(row.getString("id"), row.getString("destination"), row.getString("archive"),
                row.getObject("from_date", LocalDate.class), row.getObject("to_date", LocalDate.class),
                kinds == null || kinds.isBlank() ? Set.of()
                        : Arrays.stream(kinds.split(",")).map(String::trim).collect(Collectors.toUnmodifiableSet()),
                row.getString("filter"), row.getString("state"), notCounted ? null : listed, row.getString("cursor_key"),
                row.getLong("handled"), row.getLong("delivered"), row.getLong("skipped"), row.getLong("failed"),
                row.getLong("parked"), row.getString("owner"), Timestamps.utc(row.getObject("started_at")),
                Timestamps.utc(row.getObject("created_at")), Timestamps.utc(row.getObject("finished_at")),
                row.getString("last_error"));
    }

    /** Whether the extra filter takes an event of this kind (no kinds: every kind). */
    public boolean takesKind(String kind) {
        return kinds.isEmpty() || kinds.contains(kind);
    }

    /** Archived events handled per second since it started (pauses included), 0 before. */
    public double rate(OffsetDateTime now) {
        if (startedAt == null || handled == 0) {
            return 0;
        }
        OffsetDateTime end = finishedAt != null ? finishedAt : now;
        double seconds = Math.max(1, Duration.between(startedAt, end).toMillis()) / 1000.0;
        return handled / seconds;
    }

    /** Seconds until every listed event is handled at the rate so far; null when not known. */
    public Long etaSeconds(OffsetDateTime now) {
        double rate = rate(now);
        if (listed == null || rate <= 0 || !RUNNING.equals(state)) {
            return null;
        }
        return (long) Math.ceil(Math.max(0, listed - handled) / rate);
    }

    public ObjectNode toJson(OffsetDateTime now) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("id", id).put("destination", destination).put("archive", archive)
                .put("from", from.toString()).put("to", to.toString())
                .put("kinds", String.join(",", kinds.stream().sorted().toList()))
                .put("state", state);
        if (listed == null) {
            json.putNull("listed");
        } else {
            json.put("listed", listed);
        }
        json.put("handled", handled).put("delivered", delivered).put("skipped", skipped).put("failed", failed)
                .put("parked", parked)
                .put("rate", Math.round(rate(now) * 10) / 10.0);
        Long eta = etaSeconds(now);
        if (eta == null) {
            json.putNull("etaSeconds");
            json.putNull("estimatedEnd");
        } else {
            json.put("etaSeconds", eta);
            json.put("estimatedEnd", now.plusSeconds(eta).toString());
        }
        json.put("cursor", cursor);
        json.put("createdAt", createdAt == null ? null : createdAt.toString());
        json.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
        json.put("lastError", lastError);
        return json;
    }
}
