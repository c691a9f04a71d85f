package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A success and a fail event of one JobId, arriving together or in either order, converge on one
 * job row: the event with the later EventTime wins, its rows are the job's rows, and no event
 * fails or waits for its lease on the way (earlier: a duplicate key on smarttag_job and a 120 s wait).
 */
class JobConvergenceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String EARLY = "2026-11-25T07:00:00Z";
    private static final String LATE = "2026-11-25T07:00:00.250Z";

    private static RunningHub.Builder hub(String database) {
        RunningHub.Builder builder = RunningHub.builder().property("hub.process.workers", "8");
        return "postgres".equals(database) ? builder.onPostgres() : builder;
    }

    /** Job i: the fail is later for even i, the success for odd i. */
    private static byte[] success(String jobId, int i) {
        return Samples.with(Samples.seed(), "JobId", jobId, "EventTime", i % 2 == 0 ? EARLY : LATE);
    }

    private static byte[] fail(String jobId, int i) {
        return Samples.with(Samples.fail(), "JobId", jobId, "EventTime", i % 2 == 0 ? LATE : EARLY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void successAndFailTogetherConvergeOnTheLaterEventTime(String database) throws Exception {
        int jobs = 40;
        try (RunningHub hub = hub(database).start()) {
            List<Callable<Integer>> posts = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String jobId = "together-" + i;
                byte[] success = success(jobId, i);
                byte[] fail = fail(jobId, i);
                posts.add(() -> hub.post(success).statusCode());
                posts.add(() -> hub.post(fail).statusCode());
            }
            Collections.shuffle(posts, new Random(7));
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                for (Future<Integer> answer : pool.invokeAll(posts)) {
                    assertEquals(200, answer.get());
                }
            } finally {
                pool.shutdown();
            }
            hub.awaitInboxSettled(WAIT);
            assertEquals(2L * jobs, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done' AND attempts = 1"),
                    "every event done at its first attempt: " + hub.query(
                            "SELECT job_id, status, state, attempts, last_error FROM smarttag_inbox WHERE state <> 'done' OR attempts <> 1"));
            for (int i = 0; i < jobs; i++) {
                assertJobShowsTheLaterEvent(hub, "together-" + i, i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anEarlierEventArrivingLastDoesNotReplaceTheJobRow(String database) throws Exception {
        try (RunningHub hub = hub(database).start()) {
            for (int i = 0; i < 2; i++) {
                String jobId = "later-first-" + i;
                boolean failIsLater = i % 2 == 0;
                assertEquals(200, hub.post(failIsLater ? fail(jobId, i) : success(jobId, i)).statusCode());
                hub.awaitInboxSettled(WAIT);
                assertEquals(200, hub.post(failIsLater ? success(jobId, i) : fail(jobId, i)).statusCode());
                hub.awaitInboxSettled(WAIT);
                assertJobShowsTheLaterEvent(hub, jobId, i);
            }
            assertEquals(4, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'done' AND attempts = 1"));
        }
    }

    private static void assertJobShowsTheLaterEvent(RunningHub hub, String jobId, int i) throws Exception {
        Map<String, Object> job = hub.query("SELECT * FROM smarttag_job WHERE job_id = ?", jobId).get(0);
        boolean failIsLater = i % 2 == 0;
        assertEquals(failIsLater ? "fail" : "success", job.get("status"), jobId);
        int tags = failIsLater ? 0 : 44;
        assertEquals(tags, ((Number) job.get("tag_count")).intValue(), jobId);
        assertEquals(tags, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = ?", jobId), jobId);
        assertEquals(failIsLater ? "InternalError" : "0", job.get("code"), jobId);
    }
}
