package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smarttag.hub.ops.OpsPage;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator page in a real browser: Debian's Chromium, headless, driven by Selenium through
 * Debian's chromedriver (both from the system, nothing is downloaded; .ci/run installs them).
 * A wrong token is refused; the right one shows a parked event with its last error, a
 * quarantined body (as text, not as markup), a failed job and its alert; the page's Replay
 * button delivers the parked event. The same state is read on PostgreSQL, and without a token
 * the page is off.
 */
class OperatorPageTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOKEN = "ops-page-token-42";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HOSTILE_BODY = "not json <img src=x onerror=\"document.title='pwned'\">\n\u00ff"
            .getBytes(StandardCharsets.ISO_8859_1);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void browserIsInstalled() {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "OperatorPageTest needs Debian's Chromium and its driver: " + CHROMIUM + " and " + CHROMEDRIVER
                        + " are missing. Install them with `apt-get install -y chromium chromium-driver`"
                        + " (.ci/run does this when /usr/bin/chromedriver is missing).");
    }

    @Test
    void operatorLogsInSeesTheParkedEventAndReplaysItFromThePage() throws Exception {
        try (RunningHub hub = RunningHub.builder()
                .property("hub.management.token", TOKEN)
                .property("hub.retry.initial-delay-ms", "200")
                .property("hub.retry.max-delay-ms", "400")
                .property("hub.retry.max-attempts", "2")
                .start()) {
            String base = "http://127.0.0.1:" + hub.property("hub.management.port");
            // The database destination refuses one tag value, so this event parks.
            execute(hub, "ALTER TABLE smarttag_tag ADD CONSTRAINT ops_test_no_petal CHECK (tag <> 'Petal')");
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "ops-parked-1")).statusCode());
            assertEquals(200, hub.post(Samples.fail()).statusCode());
            assertEquals(400, hub.post(HOSTILE_BODY).statusCode());
            String failedJob = Samples.field(Samples.fail(), "JobId");
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'ops-parked-1' AND state = 'parked'"));
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_alert WHERE job_id = ?", failedJob));
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = ? AND state = 'done'", failedJob));
            String lastError = (String) hub.query("SELECT last_error FROM smarttag_inbox WHERE job_id = 'ops-parked-1'").get(0).get("last_error");
            assertNotNull(lastError);
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_quarantine"));
            String quarantineId = (String) hub.query("SELECT id FROM smarttag_quarantine").get(0).get("id");

            // Without a session nothing is served; a wrong token gets 401 and no cookie.
            assertEquals(401, get(base + "/ops/api/state", null).statusCode());
            assertEquals(401, get(base + "/ops/api/quarantine/" + quarantineId, null).statusCode());
            HttpResponse<String> wrong = login(base, "wrong-token");
            assertEquals(401, wrong.statusCode());
            assertTrue(wrong.headers().allValues("Set-Cookie").isEmpty(), "no cookie for a wrong token");

            Path profile = Files.createTempDirectory("ops-chromium-profile");
            WebDriver browser = startChromium(profile);
            try {
                // the page re-renders while it refreshes: an element found a moment ago may be replaced
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
                wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
                browser.get(base + "/ops");
                assertFalse(browser.findElements(By.id("login-form")).isEmpty(), "login form first");

                // wrong token: refused, no session, the page is not shown
                browser.findElement(By.id("token")).sendKeys("not-the-token");
                browser.findElement(By.id("login-button")).click();
                wait.until(d -> d.findElement(By.id("login-error")).getText().contains("Wrong token"));
                assertNull(browser.manage().getCookieNamed(OpsPage.SESSION_COOKIE), "no session for a wrong token");
                assertTrue(browser.findElements(By.id("parked")).isEmpty(), "the page is not shown");

                // right token: the page, with a session cookie that scripts cannot read
                browser.findElement(By.id("token")).sendKeys(TOKEN);
                browser.findElement(By.id("login-button")).click();
                WebElement parkedRow = wait.until(d -> d.findElements(By.cssSelector("#parked tr[data-job='ops-parked-1']"))
                        .stream().findFirst().orElse(null));
                assertTrue(parkedRow.getText().contains(lastError.replaceAll("\\s+", " ").trim()), "the parked event shows its last error: " + parkedRow.getText());
                assertTrue(parkedRow.getText().contains("database"), "waiting for the database: " + parkedRow.getText());
                Cookie session = browser.manage().getCookieNamed(OpsPage.SESSION_COOKIE);
                assertNotNull(session);
                assertTrue(session.isHttpOnly());
                assertEquals("Strict", session.getSameSite());
                assertFalse(browser.getCurrentUrl().contains(TOKEN), "the token is never in a URL");
                assertEquals("", ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return document.cookie"),
                        "the session cookie is HttpOnly");

                // the quarantined body: listed with reason, size and its first bytes as text, never as markup
                WebElement quarantined = browser.findElement(By.cssSelector("#quarantine tr[data-id='" + quarantineId + "']"));
                assertTrue(quarantined.getText().contains("not json <img src=x onerror="), quarantined.getText());
                assertTrue(quarantined.getText().contains("\\n\\xff"), quarantined.getText());
                assertTrue(quarantined.getText().contains(HOSTILE_BODY.length + " B"), quarantined.getText());
                assertTrue(browser.findElements(By.cssSelector("#quarantine img")).isEmpty(), "no markup from a body");
                assertFalse(browser.getTitle().contains("pwned"));
                // the failed job and its alert
                wait.until(d -> d.findElement(By.id("failed-jobs")).getText().contains(failedJob));
                assertTrue(browser.findElement(By.id("failed-jobs")).getText().contains("InternalError"));
                assertTrue(browser.findElement(By.id("alerts")).getText().contains(failedJob));
                assertTrue(browser.findElement(By.id("backlog")).getText().contains("parked 1"),
                        browser.findElement(By.id("backlog")).getText());

                Files.createDirectories(Path.of("docs"));
                Files.write(Path.of("docs/operator-page.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

                // with the browser's session: the body downloads as an attachment; a replay without
                // the CSRF header is refused and changes nothing
                String cookie = OpsPage.SESSION_COOKIE + "=" + session.getValue();
                HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(base + "/ops/api/quarantine/" + quarantineId))
                        .header("Cookie", cookie).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, download.statusCode());
                assertArrayEquals(HOSTILE_BODY, download.body());
                assertEquals("application/octet-stream", download.headers().firstValue("Content-Type").orElse(""));
                assertTrue(download.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));
                HttpResponse<String> noCsrf = http.send(HttpRequest.newBuilder(URI.create(base + "/ops/api/replay"))
                        .header("Cookie", cookie).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"job\":\"ops-parked-1\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(403, noCsrf.statusCode());
                assertEquals(1, hub.count("SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'ops-parked-1' AND state = 'parked'"));

                // ops fix the destination and press Replay: the event is delivered, the page follows
                execute(hub, "ALTER TABLE smarttag_tag DROP CONSTRAINT ops_test_no_petal");
                parkedRow.findElement(By.cssSelector("button.replay")).click();
                wait.until(d -> d.findElement(By.id("notice")).getText().contains("1 event(s) back to pending"));
                assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'ops-parked-1' AND state = 'done'"));
                assertEquals(44, hub.count("SELECT COUNT(*) FROM smarttag_tag WHERE job_id = 'ops-parked-1'"));
                new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                        .until(d -> d.findElement(By.id("parked")).getText().contains("No parked events.")
                                && d.findElement(By.id("backlog")).getText().contains("parked 0"));
                assertTrue(browser.findElements(By.cssSelector("#parked tr[data-job='ops-parked-1']")).isEmpty());

                // logging out ends the session on the server too
                browser.findElement(By.id("logout")).click();
                wait.until(d -> !d.findElements(By.id("login-form")).isEmpty());
                assertEquals(401, get(base + "/ops/api/state", cookie).statusCode());
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void theSameStateIsReadOnPostgresql() throws Exception {
        try (RunningHub hub = RunningHub.builder().onPostgres()
                .property("hub.management.token", TOKEN)
                .property("hub.retry.initial-delay-ms", "200")
                .property("hub.retry.max-delay-ms", "400")
                .property("hub.retry.max-attempts", "2")
                .start()) {
            String base = "http://127.0.0.1:" + hub.property("hub.management.port");
            execute(hub, "ALTER TABLE smarttag_tag ADD CONSTRAINT ops_test_no_petal CHECK (tag <> 'Petal')");
            assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "ops-parked-pg")).statusCode());
            assertEquals(400, hub.post(HOSTILE_BODY).statusCode());
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_inbox WHERE job_id = 'ops-parked-pg' AND state = 'parked'"));
            assertEquals(1, hub.awaitCount(1, WAIT, "SELECT COUNT(*) FROM smarttag_quarantine"));

            HttpResponse<String> login = login(base, TOKEN);
            assertEquals(303, login.statusCode());
            String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.toLowerCase().contains("; httponly") && setCookie.contains("SameSite=Strict"), setCookie);
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            HttpResponse<String> response = get(base + "/ops/api/state", cookie);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode state = JSON.readTree(response.body());
            assertEquals(1, state.path("backlog").path("parked").path("events").asInt());
            assertEquals("database 1", state.path("backlog").path("parked").path("owing").asText());
            assertEquals("ops-parked-pg", state.path("parked").path(0).path("jobId").asText());
            assertFalse(state.path("parked").path(0).path("lastError").asText().isEmpty());
            JsonNode quarantined = state.path("quarantine").path(0);
            assertEquals(HOSTILE_BODY.length, quarantined.path("size").asInt());
            assertEquals("not json <img src=x onerror=\"document.title='pwned'\">\\n\\xff", quarantined.path("firstBytes").asText());
            assertFalse(state.path("csrf").asText().isEmpty());
        }
    }

    @Test
    void withoutATokenThePageIsOff() throws Exception {
        try (RunningHub hub = RunningHub.builder().property("hub.management.token", "").start()) {
            String base = "http://127.0.0.1:" + hub.property("hub.management.port");
            HttpResponse<String> page = get(base + "/ops", null);
            assertEquals(403, page.statusCode());
            assertTrue(page.body().contains("hub.management.token"), page.body());
            assertEquals(403, login(base, "").statusCode());
            assertEquals(403, get(base + "/ops/api/state", null).statusCode());
        }
    }

    private static WebDriver startChromium(Path profile) {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1280,1000",
                "--user-data-dir=" + profile.toAbsolutePath());
        return new ChromeDriver(service, options);
    }

    private HttpResponse<String> login(String base, String token) throws Exception {
        String form = "token=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(URI.create(base + "/ops/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void execute(RunningHub hub, String sql) throws Exception {
        try (var c = hub.dataSource().getConnection(); var st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
