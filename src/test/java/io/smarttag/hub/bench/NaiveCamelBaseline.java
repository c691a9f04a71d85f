package io.smarttag.hub.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.smarttag.hub.event.EventRows;
import io.smarttag.hub.event.VodEvent;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.dataformat.JsonLibrary;

/**
 * The "naive Camel route" the issue compares the hub with: a minimal CamelContext in this JVM that
 * does what a first attempt would do: unmarshal the event, insert the job row, split the tags and
 * insert each one with its own camel-sql call (autocommit, so one commit per row), synchronously.
 * No inbox, no archive, no HTTP: it gets the raw event bytes from a ProducerTemplate.
 */
final class NaiveCamelBaseline implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final DefaultCamelContext camel;

    NaiveCamelBaseline(Db db, int connections) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url);
        config.setUsername(db.user);
        config.setPassword(db.password);
        config.setMaximumPoolSize(connections);
        dataSource = new HikariDataSource(config);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("naiveDs", dataSource);
        EventRows rows = new EventRows();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:naive").routeId("naive")
                        .unmarshal().json(JsonLibrary.Jackson, VodEvent.class)
                        .process(exchange -> {
                            VodEvent event = exchange.getMessage().getBody(VodEvent.class);
                            List<Map<String, Object>> tags = rows.rows(event).tags();
                            Map<String, Object> job = new HashMap<>();
                            job.put("jobId", event.getJobId());
                            job.put("mediaId", event.getMediaId());
                            job.put("status", event.getStatus());
                            job.put("code", event.getCode());
                            job.put("message", event.getMessage());
                            job.put("now", new Timestamp(System.currentTimeMillis()));
                            job.put("tagCount", tags.size());
                            exchange.setVariable("tags", tags);
                            exchange.getMessage().setBody(job);
                        })
                        .to("sql:INSERT INTO smarttag_job (job_id, media_id, status, code, message, event_time, received_at,"
                                + " processed_at, tag_count) VALUES (:#jobId, :#mediaId, :#status, :#code, :#message, :#now,"
                                + " :#now, :#now, :#tagCount)?dataSource=#naiveDs")
                        .setBody(variable("tags"))
                        .split(body())
                            .to("sql:INSERT INTO smarttag_tag (job_id, media_id, category, tag, time_ms, face_url, item_index)"
                                    + " VALUES (:#jobId, :#mediaId, :#category, :#tag, :#timeMs, :#faceUrl, :#itemIndex)"
                                    + "?dataSource=#naiveDs")
                        .end();
            }
        });
        camel.start();
    }

    LoadDriver.OpFactory route(String jobPrefix, Events events) {
        return () -> {
            ProducerTemplate template = camel.createProducerTemplate();
            return new LoadDriver.Op() {
                @Override
                public void call(long seq) {
                    template.requestBody("direct:naive", events.withJobId(jobPrefix + seq));
                }

                @Override
                public void close() throws Exception {
                    template.close();
                }
            };
        };
    }

    @Override
    public void close() throws Exception {
        camel.close();
        dataSource.close();
    }
}
