package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** 500 events, each delivered 3 times concurrently in random order: exactly 500 jobs and their rows. */
class DuplicateDeliveryLoadTest {

    @Test
    void eachOf500EventsDeliveredThreeTimesIsStoredOnce() throws Exception {
        try (RunningHub hub = RunningHub.builder().onPostgres().start()) {
            int events = 500;
            List<byte[]> deliveries = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                byte[] event = Samples.with(Samples.seed(), "JobId", "triple-" + i);
                deliveries.add(event);
                deliveries.add(event);
                deliveries.add(event);
            }
            Collections.shuffle(deliveries, new Random(7));
            ExecutorService pool = Executors.newFixedThreadPool(16);
            int ok = 0;
            try {
                List<Future<Integer>> answers = new ArrayList<>();
                for (byte[] delivery : deliveries) {
                    answers.add(pool.submit(() -> hub.post(delivery).statusCode()));
                }
                for (Future<Integer> answer : answers) {
                    ok += answer.get() == 200 ? 1 : 0;
                }
            } finally {
                pool.shutdown();
            }
            hub.awaitCount(events * 44L, Duration.ofSeconds(120), "SELECT COUNT(*) FROM smarttag_tag");
            hub.awaitInboxSettled(Duration.ofSeconds(60));
            long jobs = hub.count("SELECT COUNT(*) FROM smarttag_job");
            long rows = hub.count("SELECT COUNT(*) FROM smarttag_tag");
            long inbox = hub.count("SELECT COUNT(*) FROM smarttag_inbox");
            long duplicates = hub.count("SELECT COUNT(*) FROM (SELECT job_id FROM smarttag_tag GROUP BY job_id HAVING COUNT(*) <> 44) d");
            System.out.printf("duplicate delivery: %d deliveries sent, %d answered 200, %d inbox rows, %d jobs, %d tag rows, %d jobs with a wrong row count%n",
                    deliveries.size(), ok, inbox, jobs, rows, duplicates);
            assertEquals(deliveries.size(), ok);
            assertEquals(events, inbox);
            assertEquals(events, jobs);
            assertEquals(events * 44L, rows);
            assertEquals(0, duplicates);
        }
    }
}
