package io.smarttag.hub.metrics;

import io.smarttag.hub.db.SqlFiles;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.event.VodEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox backlog per destination and state, read with one grouped query over the events that
 * are not done, at most once per refresh interval however often Prometheus scrapes. While the
 * database cannot answer, the last reading stays (and one DEBUG line says why).
 */
public class Backlog {

    private static final Logger LOG = LoggerFactory.getLogger(Backlog.class);
    private static final String QUERY = SqlFiles.load("metrics-backlog");

    private final DataSource dataSource;
    private final long refreshMillis;
    private long readAt;
    private Map<String, Long> events = Map.of();
    private Map<String, OffsetDateTime> oldest = Map.of();

    private final Destinations destinations;

    public Backlog(DataSource dataSource, long refreshMillis, Destinations destinations) {
        this.destinations = destinations;
        this.dataSource = dataSource;
        this.refreshMillis = refreshMillis;
    }

    public synchronized double events(String destination, String state) {
        refresh();
        return events.getOrDefault(destination + "|" + state, 0L);
    }

    /** Seconds since the oldest pending or processing event of the destination was received; 0 for none. */
    public synchronized double oldestSeconds(String destination) {
        refresh();
        OffsetDateTime time = oldest.get(destination);
        return time == null ? 0 : Math.max(0, (System.currentTimeMillis() - time.toInstant().toEpochMilli()) / 1000.0);
    }

    /** The routing's kind of an event, from the inbox columns: success, fail, or other for other EventTypes. */
    static String kind(String eventType, String status) {
        if (!VodEvent.TAG_EVENT.equals(eventType)) {
            return "other";
        }
        return "success".equals(status) ? "success" : "fail";
    }

    private void refresh() {
        long now = System.currentTimeMillis();
        if (now - readAt < refreshMillis) {
            return;
        }
        readAt = now;
        Map<String, Long> counted = new HashMap<>();
        Map<String, OffsetDateTime> first = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(QUERY);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String state = rs.getString("state");
                long n = rs.getLong("events");
                OffsetDateTime received = rs.getObject("oldest", OffsetDateTime.class);
                String destination = rs.getString("destination");
                List<String> owing = destination != null ? List.of(destination)
                        : destinations.taking(kind(rs.getString("event_type"), rs.getString("status"))).stream()
                                .map(Destination::name).toList();
                for (String name : owing) {
                    counted.merge(name + "|" + state, n, Long::sum);
                    if (!"parked".equals(state) && received != null) {
                        first.merge(name, received, (a, b) -> a.isBefore(b) ? a : b);
                    }
                }
            }
            events = counted;
            oldest = first;
        } catch (Exception e) {
            LOG.debug("backlog not read, keeping the last reading: {}", e.toString());
        }
    }
}
