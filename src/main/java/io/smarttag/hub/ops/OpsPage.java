package io.smarttag.hub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.tools.Replay;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator page, {@code /ops} on the management port: a search for a job's events, backlog,
 * parked events (with a replay button), quarantined bodies, failed jobs and alerts. Behind {@code hub.management.token}: the
 * token is typed into a login form (never put in a URL), which sets an HttpOnly, SameSite=Strict
 * session cookie; requests that change something also need the session's CSRF token in the
 * {@code X-Ops-CSRF} header. With no token configured the page is off (403).
 *
 * <p>Static files come from {@code src/main/resources/ops/}; the page fills in every value with
 * {@code textContent}, since bodies and errors come from senders.
 */
public class OpsPage extends io.smarttag.hub.http.ManagementRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(OpsPage.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String PATH = "/ops";
    public static final String SESSION_COOKIE = "hub_ops_session";
    public static final String CSRF_HEADER = "X-Ops-CSRF";
    private static final int MAX_FORM_BYTES = 8192;
    private static final long WRONG_TOKEN_DELAY_MS = 500;
    private static final Map<String, String> STATIC = Map.of(
            "ops.css", "text/css; charset=utf-8",
            "ops.js", "text/javascript; charset=utf-8");

    private final byte[] tokenHash;
    private final boolean enabled;
    private final DataSource dataSource;
    private final OpsSessions sessions;
    private final OpsState state;
    private final io.smarttag.hub.lifecycle.EventStatus events;

    private final io.smarttag.hub.lifecycle.Backfills backfills;
    private final List<String> destinations;

    public OpsPage(String token, DataSource dataSource, long sessionMinutes, io.smarttag.hub.lifecycle.EventStatus events,
            io.smarttag.hub.lifecycle.Backfills backfills, List<String> destinations) {
        this.events = events;
        this.backfills = backfills;
        this.destinations = List.copyOf(destinations);
        this.enabled = !token.isEmpty();
        this.tokenHash = sha256(token);
        this.dataSource = dataSource;
        this.sessions = new OpsSessions(sessionMinutes, Clock.systemUTC());
        this.state = new OpsState(dataSource, Clock.systemUTC());
    }

    @Override
    protected String path() {
        return PATH;
    }

    @Override
    protected void addRoutes(Router router, CamelContext context) {
        router.route(PATH).method(HttpMethod.GET).blockingHandler(this::page, false);
        router.route(PATH + "/static/:file").method(HttpMethod.GET).handler(this::staticFile);
        router.route(PATH + "/login").method(HttpMethod.POST)
                .handler(BodyHandler.create(false).setBodyLimit(MAX_FORM_BYTES)).handler(this::login);
        router.route(PATH + "/logout").method(HttpMethod.POST).handler(this::logout);
        router.route(PATH + "/api/state").method(HttpMethod.GET).blockingHandler(this::apiState, false);
        router.route(PATH + "/api/replay").method(HttpMethod.POST)
                .handler(BodyHandler.create(false).setBodyLimit(MAX_FORM_BYTES)).blockingHandler(this::apiReplay, false);
        router.route(PATH + "/api/backfill").method(HttpMethod.POST)
                .handler(BodyHandler.create(false).setBodyLimit(MAX_FORM_BYTES)).blockingHandler(this::apiBackfill, false);
        router.route(PATH + "/api/backfill/:id/:action").method(HttpMethod.POST).blockingHandler(this::apiBackfillAction, false);
        router.route(PATH + "/api/events").method(HttpMethod.GET).blockingHandler(this::apiEvents, false);
        router.route(PATH + "/api/quarantine/:id").method(HttpMethod.GET).blockingHandler(this::apiQuarantineBody, false);
    }

    private void page(RoutingContext routing) {
        if (!enabled) {
            disabled(routing);
            return;
        }
        if (session(routing) != null) {
            html(routing, 200, resource("index.html"));
        } else {
            html(routing, 200, loginPage(""));
        }
    }

    private void staticFile(RoutingContext routing) {
        String file = routing.pathParam("file");
        String type = file == null ? null : STATIC.get(file);
        if (type == null) {
            secured(routing.response()).setStatusCode(404).putHeader("Content-Type", "text/plain").end("not found");
            return;
        }
        secured(routing.response()).putHeader("Content-Type", type).end(resource(file));
    }

    private void login(RoutingContext routing) {
        if (!enabled) {
            disabled(routing);
            return;
        }
        String presented = routing.request().getFormAttribute("token");
        // compare hashes: constant time, and the same length whatever was typed
        if (presented == null || !MessageDigest.isEqual(tokenHash, sha256(presented.trim()))) {
            LOG.warn("operator page: login refused (wrong token) from {}", routing.request().remoteAddress());
            // answered a little later, which slows down guessing
            routing.vertx().setTimer(WRONG_TOKEN_DELAY_MS, t -> html(routing, 401, loginPage("Wrong token.")));
            return;
        }
        OpsSessions.Session session = sessions.create();
        Cookie cookie = Cookie.cookie(SESSION_COOKIE, session.id())
                .setPath(PATH).setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
                .setMaxAge(sessions.lifetimeSeconds());
        routing.response().addCookie(cookie);
        LOG.info("operator page: login from {}", routing.request().remoteAddress());
        secured(routing.response()).setStatusCode(303).putHeader("Location", PATH).end();
    }

    private void logout(RoutingContext routing) {
        OpsSessions.Session session = session(routing);
        if (session != null && csrfMatches(routing, session)) {
            sessions.remove(session.id());
        }
        routing.response().addCookie(Cookie.cookie(SESSION_COOKIE, "").setPath(PATH).setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setMaxAge(0));
        secured(routing.response()).setStatusCode(303).putHeader("Location", PATH).end();
    }

    private void apiState(RoutingContext routing) {
        OpsSessions.Session session = apiSession(routing);
        if (session == null) {
            return;
        }
        try {
            com.fasterxml.jackson.databind.node.ObjectNode read = state.read();
            read.set("backfills", backfills.listJson(OpsState.LIST_LIMIT));
            read.set("destinations", JSON.valueToTree(destinations));
            json(routing, 200, read.put("csrf", session.csrf()).toString());
        } catch (Exception e) {
            LOG.warn("operator page: state could not be read: {}", e.toString());
            json(routing, 503, error("unavailable", "the database could not be read, retry later"));
        }
    }

    private void apiReplay(RoutingContext routing) {
        OpsSessions.Session session = apiSession(routing);
        if (session == null) {
            return;
        }
        if (!csrfMatches(routing, session)) {
            json(routing, 403, error("forbidden", "missing or wrong " + CSRF_HEADER + " header"));
            return;
        }
        String job;
        try {
            JsonNode body = JSON.readTree(routing.body().buffer() == null ? new byte[0] : routing.body().buffer().getBytes());
            job = body == null ? null : body.path("job").asText(null);
        } catch (IOException e) {
            job = null;
        }
        if (job == null || job.isEmpty()) {
            json(routing, 400, error("bad_request", "give {\"job\": \"<JobId>\"}"));
            return;
        }
        try {
            int replayed = Replay.replay(dataSource, List.of(job));
            LOG.info("replay requested on the operator page: {} parked event(s) back to pending", replayed);
            json(routing, 200, JSON.createObjectNode().put("replayed", replayed).toString());
        } catch (Exception e) {
            LOG.warn("operator page: replay failed: {}", e.toString());
            json(routing, 503, error("unavailable", "the inbox could not be updated, retry later"));
        }
    }

    /** The backfill form: starts a backfill ({"destination", "from", "to", "kinds"}). */
    private void apiBackfill(RoutingContext routing) {
        OpsSessions.Session session = apiSession(routing);
        if (session == null) {
            return;
        }
        if (!csrfMatches(routing, session)) {
            json(routing, 403, error("forbidden", "missing or wrong " + CSRF_HEADER + " header"));
            return;
        }
        try {
            JsonNode body = JSON.readTree(routing.body().buffer() == null ? new byte[0] : routing.body().buffer().getBytes());
            io.smarttag.hub.lifecycle.Backfill started = backfills.start(body);
            LOG.info("backfill {} started on the operator page", started.id());
            json(routing, 201, started.toJson(java.time.OffsetDateTime.now()).toString());
        } catch (io.smarttag.hub.lifecycle.Backfills.Refused refused) {
            json(routing, refused.status(), error("refused", refused.getMessage()));
        } catch (IOException e) {
            json(routing, 400, error("bad_request", "give {\"destination\", \"from\", \"to\"}"));
        } catch (Exception e) {
            LOG.warn("operator page: backfill could not be started: {}", e.toString());
            json(routing, 503, error("unavailable", "the database could not be written, retry later"));
        }
    }

    /** Pause, resume, cancel or retry-parked of a backfill. */
    private void apiBackfillAction(RoutingContext routing) {
        OpsSessions.Session session = apiSession(routing);
        if (session == null) {
            return;
        }
        if (!csrfMatches(routing, session)) {
            json(routing, 403, error("forbidden", "missing or wrong " + CSRF_HEADER + " header"));
            return;
        }
        try {
            io.smarttag.hub.lifecycle.Backfill after = backfills.act(routing.pathParam("id"), routing.pathParam("action"));
            json(routing, 200, after.toJson(java.time.OffsetDateTime.now()).toString());
        } catch (io.smarttag.hub.lifecycle.Backfills.Refused refused) {
            json(routing, refused.status(), error("refused", refused.getMessage()));
        } catch (Exception e) {
            LOG.warn("operator page: backfill action failed: {}", e.toString());
            json(routing, 503, error("unavailable", "the database could not be written, retry later"));
        }
    }

    /** The search box: the event status of one job (the JSON of GET /observe/events). */
    private void apiEvents(RoutingContext routing) {
        if (apiSession(routing) == null) {
            return;
        }
        String job = routing.request().getParam("job");
        if (job == null || job.isBlank() || job.length() > 256) {
            json(routing, 400, error("bad_request", "give a JobId"));
            return;
        }
        try {
            json(routing, 200, events.of(job.trim()).toString());
        } catch (Exception e) {
            LOG.warn("operator page: event status could not be read: {}", e.toString());
            json(routing, 503, error("unavailable", "the database could not be read, retry later"));
        }
    }

    private void apiQuarantineBody(RoutingContext routing) {
        if (apiSession(routing) == null) {
            return;
        }
        String id = routing.pathParam("id");
        try {
            byte[] body = state.quarantineBody(id);
            if (body == null) {
                json(routing, 404, error("not_found", "no quarantined body with this id"));
                return;
            }
            String file = "quarantine-" + id.replaceAll("[^A-Za-z0-9-]", "_") + ".bin";
            secured(routing.response())
                    .putHeader("Content-Type", "application/octet-stream")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + file + "\"")
                    .end(io.vertx.core.buffer.Buffer.buffer(body));
        } catch (Exception e) {
            LOG.warn("operator page: quarantined body could not be read: {}", e.toString());
            json(routing, 503, error("unavailable", "the database could not be read, retry later"));
        }
    }

    /** The caller's session, or null after answering 403 (page off) or 401 (no session). */
    private OpsSessions.Session apiSession(RoutingContext routing) {
        if (!enabled) {
            json(routing, 403, error("disabled", "set hub.management.token to enable the operator page"));
            return null;
        }
        OpsSessions.Session session = session(routing);
        if (session == null) {
            json(routing, 401, error("unauthorized", "log in on " + PATH));
        }
        return session;
    }

    private OpsSessions.Session session(RoutingContext routing) {
        Cookie cookie = routing.request().getCookie(SESSION_COOKIE);
        return cookie == null ? null : sessions.find(cookie.getValue());
    }

    private static boolean csrfMatches(RoutingContext routing, OpsSessions.Session session) {
        String presented = routing.request().getHeader(CSRF_HEADER);
        return presented != null && MessageDigest.isEqual(
                session.csrf().getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    private void disabled(RoutingContext routing) {
        html(routing, 403, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>smarttag-hub operations</title>"
                + "<link rel=\"stylesheet\" href=\"" + PATH + "/static/ops.css\"></head><body><main class=\"login\">"
                + "<h1>Operator page is off</h1><p>Set <code>hub.management.token</code> (environment variable"
                + " <code>HUB_MANAGEMENT_TOKEN</code>) and restart the hub to turn it on.</p></main></body></html>");
    }

    private static String loginPage(String message) {
        return resource("login.html").replace("<!--MESSAGE-->", message);
    }

    private static HttpServerResponse secured(HttpServerResponse response) {
        return response
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Content-Security-Policy",
                        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self';"
                                + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    }

    private static void html(RoutingContext routing, int status, String html) {
        secured(routing.response()).setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(html);
    }

    private static void json(RoutingContext routing, int status, String body) {
        secured(routing.response()).setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    private static String error(String error, String reason) {
        return JSON.createObjectNode().put("error", error).put("reason", reason).toString();
    }

    private static final Map<String, String> RESOURCES = new java.util.concurrent.ConcurrentHashMap<>();

    private static String resource(String name) {
        return RESOURCES.computeIfAbsent(name, OpsPage::load);
    }

    private static String load(String name) {
        try (InputStream in = OpsPage.class.getResourceAsStream("/ops/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource ops/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
