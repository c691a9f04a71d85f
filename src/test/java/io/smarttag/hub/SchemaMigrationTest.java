package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Migration from today's schema (V4: one inbox row per event with the three flags db_done,
 * archive_done, alert_done) to per-destination delivery rows (V5: smarttag_delivery), with events
 * in every state the old hub could leave them in, on H2 (the embedded default) and on PostgreSQL.
 *
 * <p>Only Flyway and JDBC: the old schema is filled the way the old hub wrote it (accept.yaml:
 * flags a kind of event does not need start TRUE; process.yaml: attempts per event, one combined
 * last_error, done_at when all flags are TRUE), so the test does not depend on the hub's code.
 * The fixture is in {@link #fillTodaysSchema(Connection)} and the helpers below it, one per kind
 * of event, so a later part can start the hub on the migrated database and check that the
 * pending ones finish.
 */
class SchemaMigrationTest {

    static final String TAG_EVENT = "AIVideoTagComplete";
    static final String OTHER_EVENT = "AIMediaDNAComplete";

    /** The clock of the fixture: the old hub was stopped at T0 for the upgrade. */
    static final OffsetDateTime T0 = OffsetDateTime.of(2026, 11, 20, 10, 0, 0, 0, ZoneOffset.UTC);

    /** Columns smarttag_inbox keeps after V5. */
    static final Set<String> INBOX_COLUMNS_AFTER = Set.of("id", "dedup_key", "event_type", "job_id", "media_id",
            "status", "source", "body", "received_at", "state", "attempts", "next_attempt_at", "lease_until",
            "archive_key", "last_error", "done_at");

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void migrationFromTodaysSchemaWithEventsInEveryState(String database, @TempDir Path dir) throws Exception {
        Db db = "postgres".equals(database) ? Db.postgres() : Db.h2(dir);

        migrateTo(db, "4");
        OldSchemaFixture fixture;
        Map<String, List<Map<String, Object>>> before;
        try (Connection c = db.connect()) {
            fixture = fillTodaysSchema(c);
            before = snapshot(c);
        }

        MigrateResult result = migrateTo(db, null);
        assertTrue(result.success, "migration failed on " + database);
        assertEquals("4", result.initialSchemaVersion);
        assertTrue(result.migrationsExecuted >= 1);

        try (Connection c = db.connect()) {
            assertEquals("5", latestAppliedVersion(c, "5"), "V5 recorded as applied in flyway_schema_history");
            assertTheFlagColumnsAreGone(c);
            assertDeliveryRows(c, fixture);
            assertAlertRowsKeptForTheAlertDestination(c, fixture);
            assertAlertLogKeyIsInboxIdAndDestination(c, fixture.failedTagJobProcessing);
            Map<String, List<Map<String, Object>>> after = snapshot(c);
            assertEquals(before.get("smarttag_job"), after.get("smarttag_job"), "job rows changed");
            assertEquals(before.get("smarttag_tag"), after.get("smarttag_tag"), "tag rows changed");
            assertEquals(before.get("smarttag_inbox"), after.get("smarttag_inbox"),
                    "inbox rows changed (other than losing the flag columns)");
            assertInboxRowsAsWritten(c, fixture);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Expectations per event

    /** Exactly these delivery rows, with these values, for each event; no other rows. */
    private static void assertDeliveryRows(Connection c, OldSchemaFixture f) throws SQLException {
        Map<String, Map<String, Delivery>> expected = new TreeMap<>();

        // Done tag event: database and archive done at the event's done_at; no alert for a success.
        expected.put(f.successTagEventDone.id(), Map.of(
                "database", Delivery.done(1, f.successTagEventDone.doneAt(), f.successTagEventDone.nextAttemptAt()),
                "archive", Delivery.done(1, f.successTagEventDone.doneAt(), f.successTagEventDone.nextAttemptAt())));

        // Rows written, archive failing: database done (no done_at in the old row: received_at),
        // archive pending with the event's attempts, error and next try.
        OldInboxRow p = f.successTagEventDatabaseDoneArchivePending;
        expected.put(p.id(), Map.of(
                "database", Delivery.done(2, p.receivedAt(), p.nextAttemptAt()),
                "archive", Delivery.pending(2, p.lastError(), p.nextAttemptAt())));

        // Failed job claimed under a lease: database and archive done, alert still owed.
        OldInboxRow l = f.failedTagJobProcessing;
        expected.put(l.id(), Map.of(
                "database", Delivery.done(3, l.receivedAt(), l.nextAttemptAt()),
                "archive", Delivery.done(3, l.receivedAt(), l.nextAttemptAt()),
                "alert", Delivery.pending(3, l.lastError(), l.nextAttemptAt())));

        // Parked failed job: what was done stays done, what was not is parked with the last error.
        OldInboxRow k = f.failedTagJobParked;
        expected.put(k.id(), Map.of(
                "database", Delivery.done(12, k.receivedAt(), k.nextAttemptAt()),
                "archive", Delivery.parked(12, k.lastError(), k.nextAttemptAt()),
                "alert", Delivery.parked(12, k.lastError(), k.nextAttemptAt())));

        // Non-tag event: only the archive (db_done/alert_done were TRUE only because it never needed them).
        OldInboxRow n = f.nonTagEventPending;
        expected.put(n.id(), Map.of(
                "archive", Delivery.pending(1, n.lastError(), n.nextAttemptAt())));

        // Fresh success tag event, never tried: database and archive pending with 0 attempts.
        OldInboxRow fresh = f.freshSuccessTagEvent;
        expected.put(fresh.id(), Map.of(
                "database", Delivery.pending(0, null, fresh.nextAttemptAt()),
                "archive", Delivery.pending(0, null, fresh.nextAttemptAt())));

        Map<String, Map<String, Delivery>> actual = new TreeMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT inbox_id, destination, state, attempts, next_attempt_at, last_error, done_at"
                     + " FROM smarttag_delivery ORDER BY inbox_id, destination")) {
            while (rs.next()) {
                actual.computeIfAbsent(rs.getString("inbox_id"), id -> new TreeMap<>()).put(rs.getString("destination"),
                        new Delivery(rs.getString("state"), rs.getInt("attempts"), rs.getString("last_error"),
                                instant(rs.getObject("done_at")), instant(rs.getObject("next_attempt_at"))));
            }
        }
        assertEquals(expected.keySet(), actual.keySet(), "events with delivery rows");
        for (OldInboxRow event : f.all()) {
            assertEquals(new TreeMap<>(expected.get(event.id())), actual.get(event.id()),
                    "delivery rows of " + event.name());
        }
    }

    private static void assertTheFlagColumnsAreGone(Connection c) throws SQLException {
        Set<String> inbox = columns(c, "smarttag_inbox");
        for (String flag : List.of("db_done", "archive_done", "alert_done")) {
            assertTrue(!inbox.contains(flag), flag + " still in smarttag_inbox: " + inbox);
        }
        assertEquals(new TreeSet<>(INBOX_COLUMNS_AFTER), inbox, "columns of smarttag_inbox");
        assertEquals(new TreeSet<>(Set.of("inbox_id", "destination", "state", "attempts", "next_attempt_at",
                "last_error", "done_at")), columns(c, "smarttag_delivery"), "columns of smarttag_delivery");
        assertEquals(new TreeSet<>(Set.of("inbox_id", "destination", "job_id", "code", "created_at", "mode",
                "digest_claim", "digest_sent_at", "channels_sent")), columns(c, "smarttag_alert"), "columns of smarttag_alert");
        assertEquals(Set.of(), columns(c, "smarttag_alert_v5"), "the rebuilt alert table was renamed");
    }

    private static void assertAlertRowsKeptForTheAlertDestination(Connection c, OldSchemaFixture f) throws SQLException {
        List<Map<String, Object>> rows = rows(c, "SELECT inbox_id, destination, job_id, code, created_at, mode,"
                + " digest_claim, digest_sent_at FROM smarttag_alert ORDER BY inbox_id");
        List<Map<String, Object>> expected = new ArrayList<>();
        for (OldAlertRow a : f.alerts) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("inbox_id", a.inboxId());
            row.put("destination", "alert");
            row.put("job_id", a.jobId());
            row.put("code", a.code());
            row.put("created_at", a.createdAt().toInstant());
            row.put("mode", a.mode());
            row.put("digest_claim", a.digestClaim());
            row.put("digest_sent_at", a.digestSentAt() == null ? null : a.digestSentAt().toInstant());
            expected.add(row);
        }
        expected.sort((x, y) -> ((String) x.get("inbox_id")).compareTo((String) y.get("inbox_id")));
        assertEquals(expected, rows, "alert rows");
    }

    /** The alert log is keyed (inbox_id, destination): a second alert destination gets its own row. */
    private static void assertAlertLogKeyIsInboxIdAndDestination(Connection c, OldInboxRow alerted) throws SQLException {
        String insert = "INSERT INTO smarttag_alert (inbox_id, destination, job_id, code, created_at, mode)"
                + " VALUES (?, ?, ?, ?, ?, 'single') ON CONFLICT DO NOTHING";
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            ps.setString(1, alerted.id());
            ps.setString(2, "alert");
            ps.setString(3, alerted.jobId());
            ps.setString(4, "InternalError");
            ps.setObject(5, T0);
            assertEquals(0, ps.executeUpdate(), "(inbox_id, 'alert') is already there");
            ps.setString(2, "alert-ops");
            assertEquals(1, ps.executeUpdate(), "a second alert destination of the same event");
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM smarttag_alert WHERE destination = 'alert-ops'");
        }
    }

    private static void assertInboxRowsAsWritten(Connection c, OldSchemaFixture f) throws SQLException {
        assertEquals(f.all().size(), count(c, "SELECT COUNT(*) FROM smarttag_inbox"));
        for (OldInboxRow event : f.all()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state, attempts, body, lease_until, last_error, done_at FROM smarttag_inbox WHERE id = ?")) {
                ps.setString(1, event.id());
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next(), event.name());
                    assertEquals(event.state(), rs.getString("state"), event.name());
                    assertEquals(event.attempts(), rs.getInt("attempts"), event.name());
                    assertArrayEquals(event.body(), rs.getBytes("body"), event.name());
                    assertEquals(event.lastError(), rs.getString("last_error"), event.name());
                    assertEquals(instant(event.leaseUntil()), instant(rs.getObject("lease_until")), event.name());
                    assertEquals(instant(event.doneAt()), instant(rs.getObject("done_at")), event.name());
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Today's schema (V4) with events in every state

    /** The inbox, alert log, job and tag rows the old hub (schema V4) leaves behind. */
    static OldSchemaFixture fillTodaysSchema(Connection c) throws Exception {
        OldSchemaFixture f = new OldSchemaFixture(
                successTagEventDone(c),
                successTagEventDatabaseDoneArchivePending(c),
                failedTagJobProcessingUnderLease(c),
                failedTagJobParked(c),
                nonTagEventPendingAsOldAcceptWroteIt(c),
                freshSuccessTagEventNeverTried(c),
                new ArrayList<>());
        jobAndTagRowsOfTheDoneJob(c, f.successTagEventDone);
        f.alerts.add(singleAlertNotSentYet(c, f.failedTagJobProcessing));
        f.alerts.add(digestAlertNotSentYet(c, f.failedTagJobParked));
        return f;
    }

    /** A success tag event fully delivered: all flags TRUE, done_at set, archived. */
    static OldInboxRow successTagEventDone(Connection c) throws SQLException {
        byte[] body = Samples.seed();
        OffsetDateTime received = T0.minusHours(3);
        return insert(c, new OldInboxRow("successTagEventDone", "00000000-0000-4000-8000-000000000001",
                TAG_EVENT, Samples.field(body, "JobId"), Samples.field(body, "MediaId"), "success", "http", body,
                received, "done", 1, received.plusSeconds(10), null, true, true, true,
                archiveKey(body, null), null, received.plusSeconds(11)));
    }

    /** A success tag event whose rows are written (db_done) but whose archive failed twice (S3 down). */
    static OldInboxRow successTagEventDatabaseDoneArchivePending(Connection c) throws SQLException {
        byte[] body = Samples.with(Samples.seed(), "JobId", "5e1f0c2a9b7d4e3f8a6b2c1d0e9f8a7b");
        OffsetDateTime received = T0.minusMinutes(30);
        return insert(c, new OldInboxRow("successTagEventDatabaseDoneArchivePending", "00000000-0000-4000-8000-000000000002",
                TAG_EVENT, Samples.field(body, "JobId"), Samples.field(body, "MediaId"), "success", "mns", body,
                received, "pending", 2, T0.plusSeconds(40), null, true, false, true,
                null, "archive-s3: SdkClientException: Unable to execute HTTP request: Connection refused; ",
                null));
    }

    /**
     * A failed tag job claimed by an instance (state processing, lease running, attempts counted at
     * the claim): rows and archive done, the alert mail failed in the attempt before.
     */
    static OldInboxRow failedTagJobProcessingUnderLease(Connection c) throws SQLException {
        byte[] body = Samples.fail();
        OffsetDateTime received = T0.minusMinutes(10);
        return insert(c, new OldInboxRow("failedTagJobProcessingUnderLease", "00000000-0000-4000-8000-000000000003",
                TAG_EVENT, Samples.field(body, "JobId"), Samples.field(body, "MediaId"), "fail", "http", body,
                received, "processing", 3, T0.minusSeconds(5), T0.plusSeconds(115), true, true, false,
                archiveKey(body, null), "alert-smtp: MailConnectException: Couldn't connect to host, port: smtp.example.com, 25; ",
                null));
    }

    /** A failed tag job parked after 12 attempts: rows written, archive and alert never got through. */
    static OldInboxRow failedTagJobParked(Connection c) throws SQLException {
        byte[] body = Samples.with(Samples.fail(), "JobId", "0f9e8d7c6b5a49382716afbecd0c1b2a",
                "EventTime", "2026-11-19T21:14:03Z");
        OffsetDateTime received = T0.minusHours(12);
        return insert(c, new OldInboxRow("failedTagJobParked", "00000000-0000-4000-8000-000000000004",
                TAG_EVENT, Samples.field(body, "JobId"), Samples.field(body, "MediaId"), "fail", "http", body,
                received, "parked", 12, T0.minusMinutes(20), null, true, false, false,
                null, "archive-s3: S3Exception: Access Denied (Service: S3, Status Code: 403); "
                        + "alert-smtp: AuthenticationFailedException: 535 5.7.8 Authentication failed; ",
                null));
    }

    /**
     * An event of another type, pending after one failed archive attempt, with db_done and
     * alert_done TRUE as the old accept wrote them (it only needs the archive).
     */
    static OldInboxRow nonTagEventPendingAsOldAcceptWroteIt(Connection c) throws SQLException {
        byte[] body = Samples.with(Samples.seed(), "EventType", OTHER_EVENT, "JobId", "c0ffee0123456789abcdef0123456789",
                "Data", "{\"VideoDNA\":[]}");
        OffsetDateTime received = T0.minusMinutes(5);
        return insert(c, new OldInboxRow("nonTagEventPendingAsOldAcceptWroteIt", "00000000-0000-4000-8000-000000000005",
                OTHER_EVENT, Samples.field(body, "JobId"), Samples.field(body, "MediaId"), "success", "http", body,
                received, "pending", 1, T0.plusSeconds(2), null, true, false, true,
                null, "archive-file: FileSystemException: /data/archive: No space left on device; ", null));
    }

    /** A success tag event just accepted, never tried (attempts 0, within the sweep's grace). */
    static OldInboxRow freshSuccessTagEventNeverTried(Connection c) throws SQLException {
        byte[] body = Samples.with(Samples.seed(), "JobId", "9a8b7c6d5e4f40312a1b2c3d4e5f6071");
        OffsetDateTime received = T0.minusSeconds(1);
        return insert(c, new OldInboxRow("freshSuccessTagEventNeverTried", "00000000-0000-4000-8000-000000000006",
                TAG_EVENT, Samples.field(body, "JobId"), Samples.field(body, "MediaId"), "success", "http", body,
                received, "pending", 0, received.plusSeconds(10), null, false, false, true, null, null, null));
    }

    /** The job row and all its tag rows (one per occurrence) of the done success event. */
    static void jobAndTagRowsOfTheDoneJob(Connection c, OldInboxRow done) throws Exception {
        JsonNode event = JSON.readTree(done.body());
        JsonNode data = JSON.readTree(event.path("Data").asText());
        List<Object[]> tags = new ArrayList<>();
        for (Map.Entry<String, JsonNode> category : data.properties()) {
            for (int index = 0; index < category.getValue().size(); index++) {
                JsonNode item = category.getValue().get(index);
                String face = item.hasNonNull("FaceUrl") ? item.get("FaceUrl").asText() : null;
                if (!item.path("Times").isArray() || item.path("Times").isEmpty()) {
                    tags.add(new Object[] {category.getKey(), item.path("Tag").asText(), null, face, index});
                }
                for (JsonNode time : item.path("Times")) {
                    tags.add(new Object[] {category.getKey(), item.path("Tag").asText(), Long.parseLong(time.asText()), face, index});
                }
            }
        }
        try (PreparedStatement job = c.prepareStatement("INSERT INTO smarttag_job (job_id, media_id, status, code, message,"
                + " event_time, received_at, processed_at, tag_count, archive_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            job.setString(1, done.jobId());
            job.setString(2, done.mediaId());
            job.setString(3, done.status());
            job.setString(4, event.path("Code").asText());
            job.setString(5, event.path("Message").asText());
            job.setObject(6, OffsetDateTime.parse(event.path("EventTime").asText()));
            job.setObject(7, done.receivedAt());
            job.setObject(8, done.receivedAt().plusSeconds(10));
            job.setInt(9, tags.size());
            job.setString(10, done.archiveKey());
            job.executeUpdate();
        }
        try (PreparedStatement tag = c.prepareStatement("INSERT INTO smarttag_tag (job_id, media_id, category, tag,"
                + " time_ms, face_url, item_index) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Object[] t : tags) {
                tag.setString(1, done.jobId());
                tag.setString(2, done.mediaId());
                tag.setString(3, (String) t[0]);
                tag.setString(4, (String) t[1]);
                tag.setObject(5, t[2], java.sql.Types.BIGINT);
                tag.setString(6, (String) t[3]);
                tag.setInt(7, (Integer) t[4]);
                tag.addBatch();
            }
            tag.executeBatch();
        }
    }

    /** The alert log row of a failed job mailed on its own whose mail has not gone out yet. */
    static OldAlertRow singleAlertNotSentYet(Connection c, OldInboxRow failed) throws SQLException {
        return insert(c, new OldAlertRow(failed.id(), failed.jobId(), "InternalError",
                failed.receivedAt().plusSeconds(10), "single", null, null));
    }

    /** The alert log row of a failed job folded into a digest that has not been sent yet. */
    static OldAlertRow digestAlertNotSentYet(Connection c, OldInboxRow failed) throws SQLException {
        return insert(c, new OldAlertRow(failed.id(), failed.jobId(), "InternalError",
                failed.receivedAt().plusSeconds(10), "digest", null, null));
    }

    /** One inbox row of the V1..V4 schema. */
    record OldInboxRow(String name, String id, String eventType, String jobId, String mediaId, String status,
            String source, byte[] body, OffsetDateTime receivedAt, String state, int attempts,
            OffsetDateTime nextAttemptAt, OffsetDateTime leaseUntil, boolean dbDone, boolean archiveDone,
            boolean alertDone, String archiveKey, String lastError, OffsetDateTime doneAt) {

        String dedupKey() {
            return eventType + "|" + jobId + "|" + status;
        }
    }

    /** One smarttag_alert row of the V2..V4 schema (keyed by inbox_id alone). */
    record OldAlertRow(String inboxId, String jobId, String code, OffsetDateTime createdAt, String mode,
            String digestClaim, OffsetDateTime digestSentAt) {
    }

    /** Every event of the fixture, by what it is. */
    record OldSchemaFixture(OldInboxRow successTagEventDone, OldInboxRow successTagEventDatabaseDoneArchivePending,
            OldInboxRow failedTagJobProcessing, OldInboxRow failedTagJobParked, OldInboxRow nonTagEventPending,
            OldInboxRow freshSuccessTagEvent, List<OldAlertRow> alerts) {

        List<OldInboxRow> all() {
            return List.of(successTagEventDone, successTagEventDatabaseDoneArchivePending, failedTagJobProcessing,
                    failedTagJobParked, nonTagEventPending, freshSuccessTagEvent);
        }
    }

    /** One expected smarttag_delivery row (without its key). */
    record Delivery(String state, int attempts, String lastError, Instant doneAt, Instant nextAttemptAt) {

        static Delivery done(int attempts, OffsetDateTime doneAt, OffsetDateTime nextAttemptAt) {
            return new Delivery("done", attempts, null, doneAt.toInstant(), nextAttemptAt.toInstant());
        }

        static Delivery pending(int attempts, String lastError, OffsetDateTime nextAttemptAt) {
            return new Delivery("pending", attempts, lastError, null, nextAttemptAt.toInstant());
        }

        static Delivery parked(int attempts, String lastError, OffsetDateTime nextAttemptAt) {
            return new Delivery("parked", attempts, lastError, null, nextAttemptAt.toInstant());
        }
    }

    private static OldInboxRow insert(Connection c, OldInboxRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO smarttag_inbox (id, dedup_key, event_type, job_id,"
                + " media_id, status, source, body, received_at, state, attempts, next_attempt_at, lease_until,"
                + " db_done, archive_done, alert_done, archive_key, last_error, done_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, r.id());
            ps.setString(2, r.dedupKey());
            ps.setString(3, r.eventType());
            ps.setString(4, r.jobId());
            ps.setString(5, r.mediaId());
            ps.setString(6, r.status());
            ps.setString(7, r.source());
            ps.setBytes(8, r.body());
            ps.setObject(9, r.receivedAt());
            ps.setString(10, r.state());
            ps.setInt(11, r.attempts());
            ps.setObject(12, r.nextAttemptAt());
            ps.setObject(13, r.leaseUntil(), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setBoolean(14, r.dbDone());
            ps.setBoolean(15, r.archiveDone());
            ps.setBoolean(16, r.alertDone());
            ps.setString(17, r.archiveKey());
            ps.setString(18, r.lastError());
            ps.setObject(19, r.doneAt(), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
            ps.executeUpdate();
        }
        return r;
    }

    private static OldAlertRow insert(Connection c, OldAlertRow a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO smarttag_alert (inbox_id, job_id, code, created_at,"
                + " mode, digest_claim, digest_sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, a.inboxId());
            ps.setString(2, a.jobId());
            ps.setString(3, a.code());
            ps.setObject(4, a.createdAt());
            ps.setString(5, a.mode());
            ps.setString(6, a.digestClaim());
            ps.setObject(7, a.digestSentAt(), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
            ps.executeUpdate();
        }
        return a;
    }

    /** The archive key the old hub recorded (hub.archive.prefix vod-events; ids here need no escaping). */
    private static String archiveKey(byte[] body, String otherEventType) {
        String time = Samples.field(body, "EventTime");
        return "vod-events/" + time.substring(0, 4) + "/" + time.substring(5, 7) + "/" + time.substring(8, 10) + "/"
                + Samples.field(body, "MediaId") + "/" + Samples.field(body, "JobId") + "-" + Samples.field(body, "Status")
                + (otherEventType == null ? "" : "+" + otherEventType) + ".json";
    }

    // ---------------------------------------------------------------------------------------------
    // Databases, Flyway and JDBC helpers

    /** A database to migrate: H2 with the hub's default URL options, or a fresh PostgreSQL database. */
    record Db(String url, String user, String password) {

        /** H2 as the hub opens it by default (application.properties hub.db.url, plus what Databases adds). */
        static Db h2(Path dir) throws Exception {
            Properties defaults = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of("application.properties"))) {
                defaults.load(in);
            }
            String url = defaults.getProperty("hub.db.url").trim();
            String prefix = "jdbc:h2:file:";
            assertTrue(url.startsWith(prefix), url);
            String options = url.substring(url.indexOf(';'));
            return new Db(prefix + dir.resolve("db/smarttag") + options + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
                    defaults.getProperty("hub.db.user", "sa").trim(), defaults.getProperty("hub.db.password", "").trim());
        }

        static Db postgres() {
            return new Db(TestServers.newPostgresDatabase(), "postgres", "postgres");
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }
    }

    /** Flyway as Databases.migrate configures it; target null migrates to the latest version. */
    static MigrateResult migrateTo(Db db, String target) {
        var config = Flyway.configure().dataSource(db.url(), db.user(), db.password()).locations("classpath:db/migration");
        if (target != null) {
            config.target(target);
        }
        MigrateResult result = config.load().migrate();
        assertTrue(result.success);
        return result;
    }

    private static String latestAppliedVersion(Connection c, String version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version FROM flyway_schema_history WHERE version = ? AND success")) {
            ps.setString(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Lower-case column names of a table of the current schema ('public' on both databases). */
    private static Set<String> columns(Connection c, String table) throws SQLException {
        Set<String> names = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns"
                + " WHERE LOWER(table_schema) = 'public' AND LOWER(table_name) = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        return names;
    }

    /** The rows the migration must not change: job, tag and inbox (without the flag columns). */
    private static Map<String, List<Map<String, Object>>> snapshot(Connection c) throws SQLException {
        Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();
        tables.put("smarttag_job", rows(c, "SELECT * FROM smarttag_job ORDER BY job_id"));
        tables.put("smarttag_tag", rows(c, "SELECT * FROM smarttag_tag ORDER BY job_id, category, item_index, time_ms"));
        tables.put("smarttag_inbox", rows(c, "SELECT " + String.join(", ", new TreeSet<>(INBOX_COLUMNS_AFTER))
                + " FROM smarttag_inbox ORDER BY id"));
        return tables;
    }

    /** Rows as maps of lower-case column name to a comparable value (bytes as hex, times as Instant). */
    private static List<Map<String, Object>> rows(Connection c, String sql) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    Object value = rs.getObject(i);
                    if (value instanceof byte[] bytes) {
                        value = HexFormat.of().formatHex(bytes);
                    } else if (value instanceof Timestamp || value instanceof OffsetDateTime) {
                        value = instant(value);
                    }
                    row.put(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), value);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    /** A TIMESTAMP WITH TIME ZONE as read by either driver (H2: OffsetDateTime, PostgreSQL: Timestamp). */
    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant();
        }
        if (value instanceof Timestamp time) {
            return time.toInstant();
        }
        assertNotNull(null, "not a timestamp: " + value.getClass());
        return null;
    }
}
