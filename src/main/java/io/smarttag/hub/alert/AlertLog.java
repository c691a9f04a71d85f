package io.smarttag.hub.alert;

import io.smarttag.hub.config.HubClock;
import io.smarttag.hub.db.SqlFiles;
import io.smarttag.hub.destination.Destination;
import io.smarttag.hub.destination.Destinations;
import io.smarttag.hub.inbox.EventWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert storms, per alert destination: the first {@code storm.max-single} failed jobs of a window
 * are alerted one by one, the rest folded into one digest sent at the end of the window. Both
 * decisions are rows of smarttag_alert, so a restart or a second instance loses or repeats none.
 */
public class AlertLog {

    private static final Logger LOG = LoggerFactory.getLogger(AlertLog.class);
    private static final String DECIDE = SqlFiles.load("alert-decide");
    private static final String MODE = SqlFiles.load("alert-mode");
    private static final String CLAIM = SqlFiles.load("alert-digest-claim");
    private static final String ROWS = SqlFiles.load("alert-digest-rows");
    private static final String RELEASE = SqlFiles.load("alert-digest-release");
    private static final String CHANNELS_SENT = SqlFiles.load("alert-channels-sent");
    private static final String CHANNEL_SENT = SqlFiles.load("alert-channel-sent");

    /** A digest to send: the destination it belongs to and the notice. */
    public record Digest(String claimId, Destination destination, Alert alert) {
    }

    private final DataSource dataSource;
    private final Destinations destinations;
    private final HubClock clock;
    private final OpsNotices notices;

    public AlertLog(DataSource dataSource, Destinations destinations, HubClock clock, OpsNotices notices) {
        this.dataSource = dataSource;
        this.destinations = destinations;
        this.clock = clock;
        this.notices = notices;
    }

    /**
     * 'single' or 'digest' for this failed job at this destination, decided on the first attempt.
     * The count and the insert are one statement, but two workers could still both see room for one
     * more single alert: decisions of one destination are taken one at a time in this instance.
     * (Instances sharing a database can each let one more through in a window.)
     */
    public String decide(EventWork work, Destination destination) throws SQLException {
        synchronized (locks.computeIfAbsent(destination.name(), name -> new Object())) {
            return decideAlone(work, destination);
        }
    }

    private final Map<String, Object> locks = new java.util.concurrent.ConcurrentHashMap<>();

    private String decideAlone(EventWork work, Destination destination) throws SQLException {
        OffsetDateTime now = clock.now();
        long window = Long.parseLong(destination.option("storm.window-ms"));
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement decide = connection.prepareStatement(DECIDE)) {
                decide.setString(1, work.getInboxId());
                decide.setString(2, destination.name());
                decide.setString(3, work.getEvent().getJobId());
                decide.setString(4, work.getEvent().getCode());
                decide.setObject(5, now);
                decide.setInt(6, Integer.parseInt(destination.option("storm.max-single")));
                decide.setString(7, destination.name());
                decide.setObject(8, now.minusNanos(window * 1_000_000L));
                decide.executeUpdate();
            }
            try (PreparedStatement mode = connection.prepareStatement(MODE)) {
                mode.setString(1, work.getInboxId());
                mode.setString(2, destination.name());
                try (ResultSet row = mode.executeQuery()) {
                    return row.next() ? row.getString(1) : "single";
                }
            }
        }
    }

    /**
     * The channels of the destination this alert still owes: for a failed job's own alert, those it
     * has not gone out on yet (a retry after the chat failed does not mail again); for notices and
     * digests, all of them.
     */
    public List<String> unsent(@Variable("destination") Destination destination, @Variable("work") EventWork work,
            @Variable("alertKind") String kind) throws SQLException {
        List<String> channels = destination.list("channels");
        if (!"single".equals(kind) || work == null) {
            return channels;
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement sent = connection.prepareStatement(CHANNELS_SENT)) {
            sent.setString(1, work.getInboxId());
            sent.setString(2, destination.name());
            try (ResultSet row = sent.executeQuery()) {
                String done = row.next() ? row.getString(1) : "";
                return channels.stream().filter(c -> !done.contains(c + ",")).toList();
            }
        }
    }

    /** A failed job's alert went out on this channel. */
    public void sent(@Variable("destination") Destination destination, @Variable("work") EventWork work,
            @Variable("alertKind") String kind, @Variable("channel") String channel) throws SQLException {
        if (!"single".equals(kind) || work == null) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement sent = connection.prepareStatement(CHANNEL_SENT)) {
            sent.setString(1, channel);
            sent.setString(2, work.getInboxId());
            sent.setString(3, destination.name());
            sent.executeUpdate();
        }
    }

    /** Claims every folded alert not yet sent and makes one digest per active alert destination. */
    public List<Digest> claimDigests() throws SQLException {
        String claim = UUID.randomUUID().toString();
        Map<String, List<Map<String, Object>>> byDestination = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement update = connection.prepareStatement(CLAIM)) {
                update.setString(1, claim);
                update.setObject(2, clock.now());
                if (update.executeUpdate() == 0) {
                    return List.of();
                }
            }
            try (PreparedStatement rows = connection.prepareStatement(ROWS)) {
                rows.setString(1, claim);
                try (ResultSet row = rows.executeQuery()) {
                    while (row.next()) {
                        byDestination.computeIfAbsent(row.getString(1), d -> new ArrayList<>())
                                .add(Map.of("job_id", row.getString(2), "code", row.getString(3) == null ? "unknown" : row.getString(3)));
                    }
                }
            }
        }
        List<Digest> digests = new ArrayList<>();
        byDestination.forEach((name, rows) -> {
            Destination destination = destinations.named(name);
            if (destination == null) {
                LOG.warn("{} folded alert(s) of destination {} not sent: it is no longer in hub.destinations", rows.size(), name);
            } else {
                digests.add(new Digest(claim, destination, notices.digest(rows)));
            }
        });
        return digests;
    }

    /** The digest was not sent: its alerts go back for the next window. */
    public void release(Digest digest) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement release = connection.prepareStatement(RELEASE)) {
            release.setString(1, digest.claimId());
            release.setString(2, digest.destination().name());
            release.executeUpdate();
        }
    }
}
