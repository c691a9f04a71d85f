package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.archive.ArchiveKeys;
import io.smarttag.hub.testsupport.HubProcess;
import io.smarttag.hub.testsupport.LiveFiles;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Three hub processes on one PostgreSQL database, callbacks to all three, one of them killed with
 * SIGKILL under load: the survivors' sweeps take over what it held once its leases expire, and in
 * the end every event that got a 200 is processed once: one job row, its 44 tag rows, one archive
 * object, and for a failed job one alert mail (two only if the kill fell between mailing it and
 * recording that, see below).
 *
 * <p>Each instance has its own data folder (spool, quarantine, .eml outbox, log); the archive is one
 * folder for all three, as the bucket replicas share (a per-pod file archive is not a setup for
 * replicas, see docs/deployment.md), so a takeover that writes an event's archive again writes the same key.
 */
class MultiInstanceCrashTest {

    private static final int INSTANCES = 3;
    private static final int KILLED = 1;
    private static final int SENDERS = 12;
    private static final String ARCHIVE_PREFIX = "vod-events";
    private static final Pattern ALERT_SUBJECT = Pattern.compile("^\\[smarttag] job (\\S+) failed: ");

    // what the senders saw, by JobId
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Set<String> acceptedFailed = ConcurrentHashMap.newKeySet();
    private final Set<String> cutOffJobs = ConcurrentHashMap.newKeySet();
    private final Set<String> failedSent = ConcurrentHashMap.newKeySet();
    private final AtomicInteger cutOff = new AtomicInteger();
    private final AtomicInteger otherAnswers = new AtomicInteger();
    private final AtomicInteger duplicatesAccepted = new AtomicInteger();
    private final ExecutorService duplicates = Executors.newFixedThreadPool(SENDERS);

    @Test
    void sigkillOfOneOfThreeInstancesUnderLoadLosesAndDuplicatesNothing() throws Exception {
        String url = TestServers.newPostgresDatabase();
        Path root = Files.createTempDirectory("multi-crash");
        Path archive = root.resolve("archive");
        Map<String, String> props = Map.of("hub.db.url", url, "hub.db.user", "postgres", "hub.db.password", "postgres",
                "hub.process.lease-ms", "3000", "hub.sweep.interval-ms", "500", "hub.sweep.grace-ms", "500",
                "hub.archive.dir", archive.toString(), "hub.archive.prefix", ARCHIVE_PREFIX,
                // every failed job mailed on its own (no digest), so each alert can be counted by its JobId
                "hub.alert.storm.max-single", "1000000");
        CrashRecoveryTest.Database db = new CrashRecoveryTest.Database(url, "postgres", "postgres");

        // started together (Flyway migrates under PostgreSQL's lock), which also saves start-up time
        ExecutorService starter = Executors.newFixedThreadPool(INSTANCES);
        List<Future<HubProcess>> starting = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            Path home = root.resolve("hub-" + i);
            starting.add(starter.submit(() -> HubProcess.start(home, props, "-Xmx256m")));
        }
        starter.shutdown();
        try {
            List<HubProcess> hubs = new ArrayList<>();
            for (Future<HubProcess> hub : starting) {
                hubs.add(hub.get());
            }
            run(hubs, root, archive, db);
        } finally {
            duplicates.shutdownNow();
            for (Future<HubProcess> hub : starting) {
                try {
                    hub.get().close();
                } catch (ExecutionException notStarted) {
                    // nothing to stop
                }
            }
        }
    }

    private void run(List<HubProcess> hubs, Path root, Path archive, CrashRecoveryTest.Database db) throws Exception {
        // Warm-up: the first success and failed job of a cold hub JVM (class loading, JIT) took over 6 s on a
        // busy 2-core box, longer than the 3 s lease, and the hub's own sweep took it over while it was
        // still at work (alert mailed twice). Done before the load, so that here a lease runs out by the kill.
        for (int i = 0; i < INSTANCES; i++) {
            send(hubs, i, -1, "warm-" + i + "-s", false);
            send(hubs, i, -1, "warm-" + i + "-f", true);
        }
        long warm = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!allDone(db) && System.nanoTime() < warm) {
            Thread.sleep(100);
        }

        AtomicInteger counter = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        for (int t = 0; t < SENDERS; t++) {
            senders.submit(() -> {
                while (!stop.get()) {
                    int n = counter.incrementAndGet();
                    int target = n % INSTANCES;
                    if (target == KILLED && killed.get()) {
                        target = (target + 1) % INSTANCES;
                    }
                    // every 5th event is delivered to a second instance as well, at the same time
                    int other = (target + 1) % INSTANCES == KILLED && killed.get() ? (target + 2) % INSTANCES : (target + 1) % INSTANCES;
                    // the instance it was sent to first is in the JobId, to see what the killed one held
                    send(hubs, target, n % 5 == 0 ? other : -1, "mi-" + target + "-" + n, n % 8 == 0);
                }
                return null;
            });
        }
        long victimNotDone;
        long notDoneAtKill;
        long processingAtKill;
        try {
            Thread.sleep(4000);
            // killed while it works on one of its own callbacks (it processes them itself, from memory), so
            // that the kill leaves a lease for the survivors to take over
            String ofVictim = "job_id LIKE 'mi-" + KILLED + "-%'";
            // Frozen (SIGSTOP) before looking, so an event seen in processing is still there at the kill:
            // an event takes a few ms to process, less than a look and a kill took when the process ran on.
            long aim = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            hubs.get(KILLED).freeze();
            while (db.count("SELECT COUNT(*) FROM smarttag_inbox WHERE " + ofVictim + " AND state = 'processing'") == 0
                    && System.nanoTime() < aim) {
                hubs.get(KILLED).thaw();
                Thread.sleep(10);
                hubs.get(KILLED).freeze();
            }
            killed.set(true); // senders stop choosing it: what is cut off is what was in flight to it
            hubs.get(KILLED).kill();
            victimNotDone = db.count("SELECT COUNT(*) FROM smarttag_inbox WHERE " + ofVictim + " AND state <> 'done'");
            notDoneAtKill = db.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state <> 'done'");
            processingAtKill = db.count("SELECT COUNT(*) FROM smarttag_inbox WHERE state = 'processing'");
            Thread.sleep(1500);
        } finally {
            stop.set(true);
            senders.shutdown();
        }
        assertTrue(senders.awaitTermination(60, TimeUnit.SECONDS), "senders did not stop");
        long loadEnded = System.nanoTime();

        long deadline = loadEnded + Duration.ofSeconds(90).toNanos();
        boolean done = allDone(db);
        while (!done && System.nanoTime() < deadline) {
            Thread.sleep(250);
            done = allDone(db);
        }
        double settleSeconds = (System.nanoTime() - loadEnded) / 1e9;

        // what was stored: everything answered 200 and whatever of the cut-off requests got in anyway
        Set<String> stored = new TreeSet<>(accepted);
        for (String jobId : cutOffJobs) {
            if (!accepted.contains(jobId) && db.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = '" + jobId + "'") > 0) {
                stored.add(jobId);
            }
        }
        long inbox = db.count("SELECT COUNT(*) FROM smarttag_inbox");
        long jobs = db.count("SELECT COUNT(*) FROM smarttag_job");
        long successJobs = db.count("SELECT COUNT(*) FROM smarttag_job WHERE status = 'success'");
        long failedJobs = db.count("SELECT COUNT(*) FROM smarttag_job WHERE status = 'fail'");
        long tagRows = db.count("SELECT COUNT(*) FROM smarttag_tag");
        long distinctTagRows = db.count("SELECT COUNT(*) FROM (SELECT DISTINCT job_id, category, tag, time_ms, item_index FROM smarttag_tag) t");
        // no destination fails here, so an event is claimed again only when its lease ran out: those
        // the killed instance was processing at the kill
        long takenOver = db.count("SELECT COUNT(*) FROM smarttag_inbox WHERE attempts > 1");
        List<Path> archived = LiveFiles.under(archive, MultiInstanceCrashTest::notTemporary);
        List<Path> archiveTemps = LiveFiles.under(archive, f -> !notTemporary(f));
        Map<String, List<Integer>> alerts = alertsByJob(root);
        int alertMails = alerts.values().stream().mapToInt(List::size).sum();
        Map<String, List<Integer>> alertedTwice = new TreeMap<>(alerts);
        alertedTwice.values().removeIf(by -> by.size() < 2);
        int spooled = 0;
        for (int i = 0; i < INSTANCES; i++) {
            spooled += LiveFiles.under(root.resolve("hub-" + i).resolve("spool"), f -> true).size();
        }

        System.out.printf("[3 instances, #%d SIGKILLed] %d accepted (200; %d failed jobs; %d duplicate deliveries answered 200), "
                + "%d requests cut off by the kill (%d events of them stored anyway), %d other answers; %d events stored; "
                + "at the kill %d not done in all (%d of the killed instance's callbacks), %d processing; %d held by the killed instance "
                + "and taken over; all done %.1f s after the load: %s; %d jobs, %d tag rows, %d archive files (%d temp files left), "
                + "%d alert mails for %d failed jobs, sent twice (instances): %s; %d spooled%n",
                KILLED, accepted.size(), acceptedFailed.size(), duplicatesAccepted.get(), cutOff.get(), stored.size() - accepted.size(),
                otherAnswers.get(), inbox, notDoneAtKill, victimNotDone, processingAtKill, takenOver, settleSeconds, done, jobs, tagRows,
                archived.size(), archiveTemps.size(), alertMails, failedJobs, alertedTwice, spooled);

        assertTrue(accepted.size() >= 50 && acceptedFailed.size() >= 5 && duplicatesAccepted.get() >= 5, "too little load to mean anything");
        assertTrue(takenOver > 0, "the kill caught no event in processing, so nothing was taken over");
        assertTrue(done, "work left unfinished in the inbox " + settleSeconds + " s after the load");
        assertEquals(0, otherAnswers.get(), "only 200s and requests cut off by the kill");

        // 0 lost: every 200 is a job; 0 duplicated: one inbox row and one job row per event, 44 distinct tag rows per success
        assertEquals(stored.size(), inbox, "one inbox row per event stored, duplicate deliveries included");
        assertEquals(accepted.size(), db.count("SELECT COUNT(*) FROM smarttag_job WHERE job_id IN ('" + String.join("','", accepted) + "')"),
                "every event that got a 200 has its job row");
        assertEquals(acceptedFailed.size(), db.count("SELECT COUNT(*) FROM smarttag_job WHERE status = 'fail' AND job_id IN ('"
                + String.join("','", acceptedFailed) + "')"));
        assertEquals(stored.size(), jobs, "a job row for every event stored, none other");
        assertEquals(44 * successJobs, tagRows, "44 tag rows per success job");
        assertEquals(tagRows, distinctTagRows, "no tag row written twice");
        assertEquals(0, db.count("SELECT COUNT(*) FROM smarttag_job j WHERE (SELECT COUNT(*) FROM smarttag_tag t WHERE t.job_id = j.job_id)"
                + " <> CASE WHEN j.status = 'success' THEN 44 ELSE 0 END"), "44 tag rows for each success job, none for a failed one");

        // the archive: one object per event under its key, nothing else; each holds its own event
        ArchiveKeys keys = new ArchiveKeys(ARCHIVE_PREFIX);
        Set<String> expectedKeys = new TreeSet<>();
        for (String jobId : stored) {
            byte[] sample = failedSent.contains(jobId) ? Samples.fail() : Samples.seed();
            expectedKeys.add(keys.key(Samples.field(sample, "EventTime"), Samples.field(sample, "MediaId"), jobId,
                    Samples.field(sample, "Status")));
        }
        Set<String> archivedKeys = new TreeSet<>();
        for (Path file : archived) {
            String key = archive.relativize(file).toString().replace('\\', '/');
            archivedKeys.add(key);
            assertTrue(key.contains("/" + Samples.field(Files.readAllBytes(file), "JobId") + "-"), "archived event under its own key: " + key);
        }
        assertEquals(expectedKeys.size(), archived.size(), "one archive file per event");
        assertEquals(expectedKeys, archivedKeys);

        // alerts: every failed job mailed, once. The alert is mailed before its delivery row is committed, so
        // a kill between the two mails it again from the instance that takes the event over: allowed
        // only that way (one of the mails from the killed instance), never more often than it was claimed.
        assertEquals(failedJobs, alerts.size(), "every failed job alerted: " + alerts.size() + " of " + failedJobs);
        assertEquals(failedJobs, db.count("SELECT COUNT(*) FROM smarttag_job WHERE status = 'fail' AND job_id IN ('"
                + String.join("','", alerts.keySet()) + "')"), "alerts only for failed jobs");
        for (Map.Entry<String, List<Integer>> twice : alertedTwice.entrySet()) {
            String job = twice.getKey();
            List<Integer> by = twice.getValue();
            assertTrue(by.contains(KILLED), "job " + job + " alerted " + by.size() + " times by live instances " + by
                    + ": its lease ran out while an instance was still at work on it");
            assertEquals(1, db.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = '" + job + "' AND attempts >= " + by.size()),
                    "job " + job + " alerted " + by.size() + " times, more than it was claimed");
        }
    }

    /**
     * One event (the seed or the failed sample with this JobId) to instance target and, unless other is
     * -1, at the same time to instance other too; recorded as accepted if one of them answered 200.
     */
    private void send(List<HubProcess> hubs, int target, int other, String jobId, boolean fail) throws Exception {
        byte[] event = Samples.with(fail ? Samples.fail() : Samples.seed(), "JobId", jobId);
        if (fail) {
            failedSent.add(jobId);
        }
        Future<Boolean> duplicate = other < 0 ? null : duplicates.submit(() -> deliver(hubs.get(other), event));
        boolean ok = deliver(hubs.get(target), event);
        if (duplicate != null && duplicate.get()) {
            duplicatesAccepted.incrementAndGet();
            ok = true;
        }
        if (ok) {
            accepted.add(jobId);
            if (fail) {
                acceptedFailed.add(jobId);
            }
        } else {
            cutOffJobs.add(jobId);
        }
    }

    /** One callback to one instance: true on 200; a connection the kill cut off is counted, another answer too. */
    private boolean deliver(HubProcess hub, byte[] event) {
        try {
            int status = hub.post(event).statusCode();
            if (status != 200) {
                otherAnswers.incrementAndGet();
            }
            return status == 200;
        } catch (Exception killed) {
            cutOff.incrementAndGet();
            return false;
        }
    }

    /**
     * All work finished: no event left pending, processing or parked, and every destination of every
     * event delivered. The one place that knows how the inbox records this.
     */
    private static boolean allDone(CrashRecoveryTest.Database db) throws Exception {
        return db.count("SELECT (SELECT COUNT(*) FROM smarttag_inbox WHERE state <> 'done')"
                + " + (SELECT COUNT(*) FROM smarttag_delivery WHERE state <> 'done')") == 0;
    }

    private static boolean notTemporary(Path file) {
        return !file.getFileName().toString().startsWith(".tmp-");
    }

    /** Alert mails in the instances' .eml outboxes by the JobId in their subject: the instances that sent one. */
    private static Map<String, List<Integer>> alertsByJob(Path root) throws Exception {
        Map<String, List<Integer>> byJob = new TreeMap<>();
        for (int i = 0; i < INSTANCES; i++) {
            for (Path eml : LiveFiles.under(root.resolve("hub-" + i).resolve("outbox"), f -> f.toString().endsWith(".eml") && notTemporary(f))) {
                try (InputStream in = Files.newInputStream(eml)) {
                    String subject = new MimeMessage(Session.getInstance(new Properties()), in).getSubject();
                    Matcher job = ALERT_SUBJECT.matcher(subject);
                    assertTrue(job.find(), "an alert for a failed job: " + subject);
                    byJob.computeIfAbsent(job.group(1), j -> new ArrayList<>()).add(i);
                }
            }
        }
        return byJob;
    }
}
