package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one PostgreSQL database, each taking callbacks and sweeping the shared inbox:
 * every event is processed by exactly one of them (one claim each, so attempts stays 1).
 */
class SharedDatabaseInstancesTest {

    @Test
    void twoInstancesNeverProcessTheSameEvent() throws Exception {
        RunningHub.Builder first = RunningHub.builder().onPostgres()
                .property("hub.sweep.grace-ms", "0").property("hub.sweep.interval-ms", "100");
        String url = first.property("hub.db.url");
        int events = 200;
        try (RunningHub a = first.start();
             RunningHub b = RunningHub.builder().property("hub.db.url", url).property("hub.db.user", "postgres")
                     .property("hub.db.password", "postgres")
                     .property("hub.sweep.grace-ms", "0").property("hub.sweep.interval-ms", "100").start()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < events; i++) {
                    RunningHub target = i % 2 == 0 ? a : b;
                    byte[] event = Samples.with(Samples.seed(), "JobId", "shared-" + i);
                    answers.add(pool.submit(() -> target.post(event).statusCode()));
                }
                for (Future<Integer> answer : answers) {
                    assertEquals(200, answer.get());
                }
            } finally {
                pool.shutdown();
            }
            a.awaitInboxSettled(Duration.ofSeconds(60));
            long twice = a.count("SELECT COUNT(*) FROM smarttag_inbox WHERE attempts <> 1");
            System.out.printf("two instances: %d events, %d jobs, %d tag rows, %d events claimed more than once%n",
                    events, a.count("SELECT COUNT(*) FROM smarttag_job"), a.count("SELECT COUNT(*) FROM smarttag_tag"), twice);
            assertEquals(events, a.count("SELECT COUNT(*) FROM smarttag_job"));
            assertEquals(events * 44L, a.count("SELECT COUNT(*) FROM smarttag_tag"));
            assertEquals(0, twice, "an event was claimed by more than one worker");
        }
    }
}
