package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.config.HubConfiguration;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.inbox.EventMdc;
import io.smarttag.hub.inbox.EventWork;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.TestServers;
import io.smarttag.hub.tools.Replay;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing rules (routes/routing.yaml) tested the Camel way: the real routes and the real
 * {@link HubConfiguration}, built by Camel Main from application.properties as the hub builds them,
 * on an H2 database in a temporary folder; only the sinks are replaced. The deliver route's
 * {@code toD direct:destination-<type>} is advised with {@code mockEndpointsAndSkip}, so each type's
 * attempt lands in {@code mock:direct:destination-<type>} and the real destination route does not run;
 * a mock that returns normally is a delivered destination, exactly as a destination route that
 * returns normally is. Events go in at the front (direct:accept as a source hands them over, or the
 * HTTP callback endpoint), and a {@link NotifyBuilder} waits until the process route has completed.
 *
 * <p>The end-to-end tests on real servers (CorePipelineTest, DestinationOutageTest, ...) stay: these
 * pin down who gets which event, fast and without any server.
 *
 * <p>One Camel context per test (camel-test-junit5's default lifecycle; per class is deprecated there),
 * each on a fresh database. The sweep is kept off (its interval is an hour) and a failed destination's
 * retry is a minute away, so nothing but the test hands an event to the process route.
 */
class RoutingRulesTest extends CamelMainTestSupport {

    private static final String[] TYPES = {"database", "archive", "alert", "webhook"};
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path home;

    private int httpPort;

    // ---- how the hub is built for the test ----------------------------------------------------

    /** Advice first, then the test starts the context (in {@link #adviseSinksAndStart()}). */
    @Override
    public void configureTest(TestExecutionConfiguration testConfiguration) {
        super.configureTest(testConfiguration);
        testConfiguration.withUseAdviceWith(true);
    }

    /** The hub's own application.properties, from the working directory as HubMain reads it (not the class path). */
    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:application.properties";
    }

    /** What HubMain.configure does: the configuration class and the YAML routes. */
    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(HubConfiguration.class);
        configuration.withRoutesIncludePattern("file:routes/*.yaml");
    }

    /**
     * The test's properties, over application.properties. Set here rather than by overriding
     * useOverridePropertiesWithPropertiesComponent(): camel-test-junit5 calls that from its constructor,
     * before this test's @TempDir exists; setupResources() runs after the injection and before the
     * context is created.
     */
    @Override
    protected void setupResources() throws Exception {
        httpPort = TestServers.freePort();
        Properties p = new Properties();
        p.setProperty("hub.db.url", "jdbc:h2:file:" + home.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        p.setProperty("hub.http.port", String.valueOf(httpPort));
        p.setProperty("hub.management.port", String.valueOf(TestServers.freePort()));
        p.setProperty("hub.archive.dir", home.resolve("archive").toString());
        p.setProperty("hub.alert.outbox-dir", home.resolve("outbox").toString());
        p.setProperty("hub.spool.dir", home.resolve("spool").toString());
        p.setProperty("hub.quarantine.dir", home.resolve("quarantine").toString());
        // HubMain binds the callback server's factory with main.bind(); Camel Main binds camel.beans.*
        // before it builds the HTTP server, so the callback port gets the hub's connection limits here too
        p.setProperty("camel.beans.callbackHttpServerFactory", "#class:io.smarttag.hub.http.CallbackHttpServerFactory");
        // a fourth destination: a chat webhook that takes failed jobs only
        p.setProperty("hub.destinations", "database,archive,alert,chat");
        p.setProperty("hub.destination.chat.type", "webhook");
        p.setProperty("hub.destination.chat.when", "fail");
        p.setProperty("hub.destination.chat.url", "http://127.0.0.1:9/never-called");
        // deterministic: only the test hands events to the process route
        p.setProperty("hub.sweep.interval-ms", "3600000");
        p.setProperty("hub.retry.initial-delay-ms", "60000");
        p.setProperty("hub.shutdown.drain-ms", "0");
        // the workers' idle poll: each stop of the context waits one out (1 s by default), six times a run
        p.setProperty("camel.component.seda.defaultPollTimeout", "100");
        camelContextConfiguration().withUseOverridePropertiesWithPropertiesComponent(p);
    }

    /** Every destination type's route is replaced by a mock, on the one route that calls them. */
    @BeforeEach
    void adviseSinksAndStart() throws Exception {
        AdviceWith.adviceWith(context, "deliver", route -> route.mockEndpointsAndSkip("direct:destination-*"));
        context.start();
        for (String type : TYPES) {
            // made when the destination route's endpoint was advised: a sink that stays silent is a real one
            assertNotNull(context.hasEndpoint("mock:direct:destination-" + type), "mock of destination-" + type);
        }
    }

    // ---- the rules -------------------------------------------------------------------------------

    @Test
    void successfulTagJobGoesToDatabaseAndArchiveNotToAlerts() throws Exception {
        String id = acceptAndProcess(Samples.seed());

        assertEquals(List.of("database", "archive"), reached());
        assertEquals("success", sink("database").getReceivedExchanges().get(0).getVariable("kind"));
        assertEquals(Map.of("database", "done", "archive", "done"), deliveries(id));
        assertEquals("done", inboxState(id));
    }

    @Test
    void failedTagJobGoesToDatabaseArchiveAlertAndTheChat() throws Exception {
        String id = acceptAndProcess(Samples.fail());

        assertEquals(List.of("database", "archive", "alert", "chat"), reached());
        assertEquals("fail", sink("alert").getReceivedExchanges().get(0).getVariable("kind"));
        assertEquals(Map.of("database", "done", "archive", "done", "alert", "done", "chat", "done"), deliveries(id));
        assertEquals("done", inboxState(id));
    }

    @Test
    void otherVodAiEventGoesToTheArchiveOnly() throws Exception {
        byte[] dna = Samples.with(Samples.seed(), "EventType", "AIMediaDNAComplete", "JobId", "dna-1", "Data", "{}");
        String id = acceptAndProcess(dna);

        assertEquals(List.of("archive"), reached());
        assertEquals("other", sink("archive").getReceivedExchanges().get(0).getVariable("kind"));
        assertArrayEquals(dna, sink("archive").getReceivedExchanges().get(0).getMessage().getBody(byte[].class));
        assertEquals(Map.of("archive", "done"), deliveries(id));
        assertEquals("done", inboxState(id));
    }

    /** Through the HTTP callback endpoint: a success, a failure and another event; the chat sees the failure alone, as sent. */
    @Test
    void extraDestinationWithWhenFailGetsOnlyFailedJobsByteIdentical() throws Exception {
        // sent as VOD may send it: not the canonical form Jackson would write (spaces, key order, a trailing newline)
        byte[] failed = ("{ \"Status\": \"fail\", \"EventType\": \"AIVideoTagComplete\", \"JobId\": \"chat-fail-1\",\n"
                + "  \"MediaId\": \"m-1\", \"Code\": \"InternalError\", \"Message\": \"d\\u00e9cod\u00e9 \\\"x\\\"\", \"Data\": \"{}\",\n"
                + "  \"EventTime\": \"2017-03-20T08:02:11Z\" }\n").getBytes(StandardCharsets.UTF_8);
        byte[] other = Samples.with(Samples.seed(), "EventType", "AIMediaDNAComplete", "JobId", "chat-other-1", "Data", "{}");
        NotifyBuilder processed = processCompleted(3);

        for (byte[] event : List.of(Samples.seed(), failed, other)) {
            assertEquals(200, post(event).statusCode());
        }
        assertTrue(processed.matches(WAIT_SECONDS, TimeUnit.SECONDS), "3 events processed");

        MockEndpoint chat = sink("webhook");
        assertEquals(1, chat.getReceivedCounter());
        Exchange received = chat.getReceivedExchanges().get(0);
        assertEquals("chat", received.getVariable("destination", Destination.class).name());
        assertArrayEquals(failed, received.getMessage().getBody(byte[].class), "the raw event, byte for byte");
        assertNull(deliveryOfJob(Samples.seedJobId(), "chat"), "no chat delivery of a success");
        assertNull(deliveryOfJob("chat-other-1", "chat"), "no chat delivery of another event");
        assertEquals("done", deliveryOfJob("chat-fail-1", "chat"));
        assertReceived(3, "archive");
        assertReceived(2, "database");
        assertReceived(1, "alert");
    }

    @Test
    void failingDestinationDoesNotStopTheOthers() throws Exception {
        sink("archive").whenAnyExchangeReceived(exchange -> {
            throw new IOException("archive store down");
        });
        String id = acceptAndProcess(Samples.fail());

        // tried in the order of hub.destinations: database before the archive, alert and chat after it
        assertEquals(List.of("database", "archive", "alert", "chat"), reached());
        assertEquals(Map.of("database", "done", "archive", "pending", "alert", "done", "chat", "done"), deliveries(id));
        Map<String, Object> archive = query("SELECT attempts, last_error, next_attempt_at FROM smarttag_delivery"
                + " WHERE inbox_id = ? AND destination = 'archive'", id).get(0);
        assertEquals(1, ((Number) archive.get("attempts")).intValue());
        assertTrue(String.valueOf(archive.get("last_error")).contains("archive store down"), String.valueOf(archive.get("last_error")));
        assertTrue(time(archive.get("next_attempt_at")).isAfter(OffsetDateTime.now()), "the archive is retried later");
        Map<String, Object> event = query("SELECT state, last_error FROM smarttag_inbox WHERE id = ?", id).get(0);
        assertEquals("pending", event.get("state"));
        assertTrue(String.valueOf(event.get("last_error")).startsWith("archive: "), String.valueOf(event.get("last_error")));
    }

    @Test
    void secondProcessingOfADoneEventDeliversToNobody() throws Exception {
        String id = acceptAndProcess(Samples.fail());
        assertEquals("done", inboxState(id));
        Map<String, Map<String, Object>> before = deliveryRows(id);
        MockEndpoint.resetMocks(context);

        // the event is due again (replay-event.sql, as a replay of the event does) while every
        // destination already has it; the sweep would then hand it to a worker: the test does that
        update(SqlFiles.load("replay-event"), OffsetDateTime.now(ZoneOffset.UTC), id);
        process(id);

        assertEquals(1, ((Number) query("SELECT attempts FROM smarttag_inbox WHERE id = ?", id).get(0).get("attempts")).intValue(),
                "claimed and processed again (replay-event.sql reset the attempts to 0)");
        assertEquals(List.of(), reached());
        assertEquals(before, deliveryRows(id), "no delivery row touched");
        assertEquals("done", inboxState(id));

        // a replay to one destination makes that one due again, and only that one
        assertEquals(1, Replay.replay(dataSource(), List.of(Samples.field(Samples.fail(), "JobId")),
                context.getRegistry().lookupByNameAndType("destinations", Destinations.class).named("archive")));
        Map<String, Map<String, Object>> replayed = deliveryRows(id);
        process(id);

        assertEquals(List.of("archive"), reached(), () -> "replayed deliveries " + replayed);
        assertEquals("done", inboxState(id));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** What a source does: the raw bytes into direct:accept; then waits until the process route is done with it. */
    private String acceptAndProcess(byte[] event) throws Exception {
        Exchange accepted = context.getEndpoint("direct:accept").createExchange();
        accepted.setVariable("source", "http");
        accepted.getMessage().setBody(event);
        NotifyBuilder processed = processingOf(event);
        template.send("direct:accept", accepted);
        // a source clears the event's log context when it takes up the next exchange: the test thread does it now
        new EventMdc().clear();
        if (accepted.getException() != null) {
            throw accepted.getException();
        }
        assertEquals("accepted", accepted.getVariable("acceptResult"));
        String id = accepted.getVariable("inboxId", String.class);
        assertNotNull(id);
        assertTrue(processed.matches(WAIT_SECONDS, TimeUnit.SECONDS), "event " + id + " processed");
        return id;
    }

    /**
     * Matches when the process route has completed the event with these raw bytes: accept hands the
     * new event over in an exchange of its own (inbox id only), so it is recognised by what the
     * worker claimed (its work); only the process route's own exchange, not the fan-out's copies.
     */
    private NotifyBuilder processingOf(byte[] event) {
        return new NotifyBuilder(context)
                .filter(exchange -> "process".equals(exchange.getFromRouteId()) && exchange.getProperty(Exchange.SPLIT_INDEX) == null
                        && exchange.getVariable("work") instanceof EventWork work && Arrays.equals(event, work.getRaw()))
                .whenCompleted(1).create();
    }

    /**
     * Matches when the process route has completed the exchange that this one handed to seda:process
     * (seda's copy carries the sender's exchange id as its correlation id). Narrower than
     * fromRoute("process"), which matches on the from endpoint and so also counts the fan-out's copies
     * (one per destination, each completes) and even a template's exchange sent to seda:process (complete
     * once queued); and a NotifyBuilder created right after another matched can still be handed the
     * completion of that previous event: a filter on the one exchange leaves nothing to race.
     */
    private NotifyBuilder processingOf(Exchange sender) {
        String senderId = sender.getExchangeId();
        return new NotifyBuilder(context)
                .filter(exchange -> "process".equals(exchange.getFromRouteId())
                        && senderId.equals(exchange.getProperty(Exchange.CORRELATION_ID, String.class)))
                .whenCompleted(1).create();
    }

    /**
     * Matches when the process route has completed this many events, whoever handed them over (the
     * HTTP source): its own exchanges, not the fan-out's copies. Create it before the first is sent.
     */
    private NotifyBuilder processCompleted(int events) {
        return new NotifyBuilder(context)
                .filter(exchange -> "process".equals(exchange.getFromRouteId()) && exchange.getProperty(Exchange.SPLIT_INDEX) == null)
                .whenCompleted(events).create();
    }

    /** What the sweep does with a due event: its id to the workers. */
    private void process(String id) {
        Exchange handOver = context.getEndpoint("seda:process?waitForTaskToComplete=Never").createExchange();
        handOver.getMessage().setBody(id);
        NotifyBuilder processed = processingOf(handOver);
        template.send("seda:process?waitForTaskToComplete=Never", handOver);
        assertTrue(processed.matches(WAIT_SECONDS, TimeUnit.SECONDS), "event " + id + " processed again");
    }

    private HttpResponse<String> post(byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/callbacks/vod"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private MockEndpoint sink(String type) {
        return context.getEndpoint("mock:direct:destination-" + type, MockEndpoint.class);
    }

    /** The destinations the sinks were called for, in the fan-out's order (its split index): one event's. */
    private List<String> reached() {
        List<Exchange> attempts = new ArrayList<>();
        for (String type : TYPES) {
            attempts.addAll(sink(type).getReceivedExchanges());
        }
        attempts.sort(Comparator.comparing(exchange -> exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class)));
        return attempts.stream().map(exchange -> exchange.getVariable("destination", Destination.class).name()).toList();
    }

    private void assertReceived(int count, String... types) {
        for (String type : types) {
            assertEquals(count, sink(type).getReceivedCounter(), "attempts at " + type);
        }
    }

    private DataSource dataSource() {
        return context.getRegistry().lookupByNameAndType("hubDataSource", DataSource.class);
    }

    private String inboxState(String id) throws Exception {
        return (String) query("SELECT state FROM smarttag_inbox WHERE id = ?", id).get(0).get("state");
    }

    /** destination -> state of the event's delivery rows. */
    private Map<String, String> deliveries(String id) throws Exception {
        Map<String, String> states = new LinkedHashMap<>();
        deliveryRows(id).forEach((destination, row) -> states.put(destination, (String) row.get("state")));
        return states;
    }

    private Map<String, Map<String, Object>> deliveryRows(String id) throws Exception {
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        for (Map<String, Object> row : query("SELECT * FROM smarttag_delivery WHERE inbox_id = ? ORDER BY destination", id)) {
            rows.put((String) row.get("destination"), row);
        }
        return rows;
    }

    private String deliveryOfJob(String jobId, String destination) throws Exception {
        List<Map<String, Object>> rows = query("SELECT d.state FROM smarttag_delivery d JOIN smarttag_inbox i ON i.id = d.inbox_id"
                + " WHERE i.job_id = ? AND d.destination = ?", jobId, destination);
        return rows.isEmpty() ? null : (String) rows.get(0).get("state");
    }

    private List<Map<String, Object>> query(String sql, Object... args) throws Exception {
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int col = 1; col <= rs.getMetaData().getColumnCount(); col++) {
                        row.put(rs.getMetaData().getColumnLabel(col).toLowerCase(), rs.getObject(col));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    private void update(String sql, Object... args) throws Exception {
        try (Connection c = dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            assertEquals(1, ps.executeUpdate());
        }
    }

    private static OffsetDateTime time(Object value) {
        return value instanceof OffsetDateTime t ? t : ((java.sql.Timestamp) value).toInstant().atOffset(ZoneOffset.UTC);
    }
}
