package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The core pipeline end to end on real servers: HTTP callback -> inbox -> split rows into
 * PostgreSQL, raw event into S3 (S3Proxy), alert over SMTP (GreenMail).
 */
class CorePipelineTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static RunningHub hub;
    private static String bucket;

    @BeforeAll
    static void start() throws Exception {
        hub = RunningHub.builder().onPostgres().withS3().withSmtp().start();
        bucket = hub.property("hub.archive.bucket");
    }

    @AfterAll
    static void stop() throws Exception {
        hub.close();
    }

    @Test
    void seedSampleBecomesOneJob44TagRowsAndAByteIdenticalArchive() throws Exception {
        byte[] seed = Samples.seed();
        HttpResponse<String> response = hub.post(seed);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"status\":\"accepted\""), response.body());

        String jobId = Samples.seedJobId();
        assertEquals(44, hub.awaitCount(44, WAIT, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", jobId));
        hub.awaitInboxSettled(WAIT);
        assertEquals(42, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ? AND category = 'Keyword'", jobId));
        assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ? AND category = 'Person'", jobId));
        assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ? AND category = 'Location'", jobId));
        Map<String, Object> person = hub.query("SELECT * FROM smarttag_tag WHERE job_id = ? AND category = 'Person'", jobId).get(0);
        assertEquals("Sam", person.get("tag"));
        assertEquals(10760L, ((Number) person.get("time_ms")).longValue());
        assertTrue(String.valueOf(person.get("face_url")).startsWith("http://test.com/aivideotag/"));

        Map<String, Object> job = hub.query("SELECT * FROM smarttag_job WHERE job_id = ?", jobId).get(0);
        assertEquals("success", job.get("status"));
        assertEquals(44, ((Number) job.get("tag_count")).intValue());
        assertEquals("sj83k40d92c641401fab46a0b842e9****", job.get("media_id"));
        String key = "vod-events/2017/03/20/sj83k40d92c641401fab46a0b842e9****/jd83k4184c0e47098a5b665e2aj3****-success.json";
        assertEquals(key, job.get("archive_key"));

        try (S3Client s3 = TestServers.s3Client()) {
            var object = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            assertArrayEquals(seed, object.asByteArray(), "archived body must be byte-identical");
            assertEquals("application/json", object.response().contentType());
        }
    }

    @Test
    void failedJobAlertsOpsByMailAndRecordsAFailedJobRow() throws Exception {
        byte[] fail = Samples.fail();
        String jobId = Samples.field(fail, "JobId");
        int before = TestServers.smtp().getReceivedMessages().length;
        assertEquals(200, hub.post(fail).statusCode());

        assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_job WHERE job_id = ? AND status = 'fail'", jobId));
        assertTrue(TestServers.smtp().waitForIncomingEmail(WAIT.toMillis(), before + 1));
        MimeMessage mail = findMail("job " + jobId + " failed");
        assertEquals("[smarttag] job " + jobId + " failed: InternalError", mail.getSubject());
        assertEquals("ops@example.com", mail.getAllRecipients()[0].toString());
        String text = allText(mail);
        assertTrue(text.contains("sj83k40d92c641401fab46a0b842e9****"), text);
        assertTrue(text.contains("The smart tag job failed because the video could not be decoded."), text);
        assertTrue(text.contains("2017-03-20T08:02:11Z"), text);
        assertTrue(text.contains("s3://" + bucket + "/vod-events/2017/03/20/"), text);

        hub.awaitInboxSettled(WAIT);
        Map<String, Object> job = hub.query("SELECT * FROM smarttag_job WHERE job_id = ?", jobId).get(0);
        assertEquals("InternalError", job.get("code"));
        assertEquals(0, ((Number) job.get("tag_count")).intValue());
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", jobId));
        try (S3Client s3 = TestServers.s3Client()) {
            byte[] archived = s3.getObjectAsBytes(b -> b.bucket(bucket).key((String) job.get("archive_key"))).asByteArray();
            assertArrayEquals(fail, archived);
        }
    }

    @Test
    void sameEventDeliveredThreeTimesIsStoredOnce() throws Exception {
        byte[] event = Samples.with(Samples.seed(), "JobId", "dup-sequential");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, hub.post(event).statusCode());
        }
        hub.awaitCount(44, WAIT, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'dup-sequential'");
        hub.awaitInboxSettled(WAIT);
        assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'dup-sequential'"));
        assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id = 'dup-sequential'"));
        assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'dup-sequential'"));
    }

    @Test
    void sameEventDeliveredConcurrentlyIsStoredOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int job = 0; job < 10; job++) {
                byte[] event = Samples.with(Samples.seed(), "JobId", "dup-concurrent-" + job);
                for (int copy = 0; copy < 3; copy++) {
                    Callable<Integer> send = () -> hub.post(event).statusCode();
                    answers.add(pool.submit(send));
                }
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get());
            }
        } finally {
            pool.shutdown();
        }
        hub.awaitCount(440, WAIT, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'dup-concurrent-%'");
        hub.awaitInboxSettled(WAIT);
        assertEquals(10, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id LIKE 'dup-concurrent-%'"));
        assertEquals(440, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id LIKE 'dup-concurrent-%'"));
        assertEquals(10, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id LIKE 'dup-concurrent-%'"));
    }

    @Test
    void otherVodAiEventIsArchivedWithoutRows() throws Exception {
        byte[] audit = Samples.with(Samples.seed(), "EventType", "AIMediaAuditComplete", "JobId", "audit-1",
                "Data", "{\"Suggestion\":\"pass\"}");
        assertEquals(200, hub.post(audit).statusCode());
        hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'audit-1' AND state = 'done'");
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id = 'audit-1'"));
        assertEquals(0, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'audit-1'"));
        String key = (String) hub.query("SELECT archive_key FROM smarttag_inbox WHERE job_id = 'audit-1'").get(0).get("archive_key");
        try (S3Client s3 = TestServers.s3Client()) {
            assertArrayEquals(audit, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        }
    }

    @Test
    void asrDataAsObjectAndAsListBecomesAsrRows() throws Exception {
        String sentence = "{\"StartTime\":0,\"EndTime\":700,\"Text\":\"hello\",\"ChannelId\":0,\"SpeechRate\":85}";
        String second = "{\"StartTime\":\"700\",\"EndTime\":\"1500\",\"Text\":\"world\",\"ChannelId\":1,\"SpeechRate\":90}";
        hub.post(Samples.successWithData("asr-object",
                "{\"OrigASRData\":{\"AsrTextList\":[" + sentence + "," + second + "],\"Duration\":\"30016\"}}"));
        hub.post(Samples.successWithData("asr-list",
                "{\"OrigASRData\":[{\"AsrTextList\":[" + sentence + "]},{\"AsrTextList\":[" + second + "]}]}"));
        hub.awaitCount(2, WAIT, "SELECT COUNT(*) FROM smarttag_asr WHERE job_id = 'asr-object'");
        hub.awaitCount(2, WAIT, "SELECT COUNT(*) FROM smarttag_asr WHERE job_id = 'asr-list'");
        for (String job : List.of("asr-object", "asr-list")) {
            List<Map<String, Object>> rows = hub.query("SELECT * FROM smarttag_asr WHERE job_id = ? ORDER BY seq", job);
            assertEquals(2, rows.size(), job);
            assertEquals("hello", rows.get(0).get("text"));
            assertEquals(700L, ((Number) rows.get(0).get("end_ms")).longValue());
            assertEquals("world", rows.get(1).get("text"));
            assertEquals(700L, ((Number) rows.get(1).get("start_ms")).longValue());
            assertEquals(90, ((Number) rows.get(1).get("speech_rate")).intValue());
        }
    }

    @Test
    void cjkTagsAndUnknownCategoriesAreKept() throws Exception {
        String data = "{\"Person\":[{\"Tag\":\"张三\",\"Times\":[\"1000\",2000]}],"
                + "\"Keyword\":[{\"Tag\":\"气垫\",\"Times\":\"[\\\"3000\\\"]\"}],"
                + "\"Category\":[{\"Tag\":\"美妆\"}],"
                + "\"Logo\":[{\"Tag\":\"兰蔻\",\"Times\":[\"4000\"]}]}";
        assertEquals(200, hub.post(Samples.successWithData("cjk-1", data)).statusCode());
        hub.awaitCount(5, WAIT, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'cjk-1'");
        List<Map<String, Object>> rows = hub.query(
                "SELECT category, tag, time_ms FROM smarttag_tag WHERE job_id = 'cjk-1' ORDER BY category, time_ms");
        assertEquals(5, rows.size(), rows.toString());
        assertEquals("美妆", rows.get(0).get("tag"));
        assertNull(rows.get(0).get("time_ms"), "an item without Times gives one row with time_ms NULL");
        assertEquals("气垫", rows.get(1).get("tag"));
        assertEquals(3000L, ((Number) rows.get(1).get("time_ms")).longValue());
        assertEquals("Logo", rows.get(2).get("category"));
        assertEquals("兰蔻", rows.get(2).get("tag"));
        assertEquals("张三", rows.get(3).get("tag"));
        assertEquals(2000L, ((Number) rows.get(4).get("time_ms")).longValue());
    }

    @Test
    void processingTheSameEventAgainLeavesTheSameRows() throws Exception {
        byte[] event = Samples.with(Samples.seed(), "JobId", "reprocess-1");
        hub.post(event);
        hub.awaitCount(44, WAIT, "SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'reprocess-1'");
        hub.awaitInboxSettled(WAIT);
        List<Map<String, Object>> before = hub.query(
                "SELECT category, tag, time_ms, face_url, item_index FROM smarttag_tag WHERE job_id = 'reprocess-1' ORDER BY category, item_index, time_ms");
        // Operator-style replay: mark the database destination as not done and let the sweep redo it.
        try (var c = hub.dataSource().getConnection(); var s = c.createStatement()) {
            s.executeUpdate("UPDATE smarttag_delivery SET state = 'pending', done_at = NULL, next_attempt_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND"
                    + " WHERE destination = 'database' AND inbox_id IN (SELECT id FROM smarttag_inbox WHERE job_id = 'reprocess-1')");
            s.executeUpdate("UPDATE smarttag_inbox SET state = 'pending', next_attempt_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND WHERE job_id = 'reprocess-1'");
        }
        hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'reprocess-1' AND state = 'done'");
        hub.awaitCount(1, WAIT, RunningHub.DELIVERIES, "reprocess-1", "database", "done");
        assertEquals(2, hub.count("SELECT attempts FROM smarttag_delivery WHERE destination = 'database'"
                + " AND inbox_id IN (SELECT id FROM smarttag_inbox WHERE job_id = 'reprocess-1')"), "the database destination ran again");
        List<Map<String, Object>> after = hub.query(
                "SELECT category, tag, time_ms, face_url, item_index FROM smarttag_tag WHERE job_id = 'reprocess-1' ORDER BY category, item_index, time_ms");
        assertEquals(before, after);
        assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id = 'reprocess-1'"));
    }

    private static MimeMessage findMail(String subjectPart) throws Exception {
        for (MimeMessage message : TestServers.smtp().getReceivedMessages()) {
            if (message.getSubject() != null && message.getSubject().contains(subjectPart)) {
                return message;
            }
        }
        throw new AssertionError("no mail with subject containing " + subjectPart);
    }

    private static String allText(MimeMessage mail) throws Exception {
        Object content = mail.getContent();
        if (content instanceof MimeMultipart multipart) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < multipart.getCount(); i++) {
                text.append(multipart.getBodyPart(i).getContent()).append('\n');
            }
            return text.toString();
        }
        return String.valueOf(content);
    }
}
