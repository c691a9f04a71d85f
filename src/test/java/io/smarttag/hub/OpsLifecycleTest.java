package io.smarttag.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smarttag.hub.testsupport.ArchiveSeed;
import io.smarttag.hub.testsupport.RunningHub;
import io.smarttag.hub.testsupport.Samples;
import io.smarttag.hub.testsupport.WebhookReceiver;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The event lifecycle on /ops in headless Chromium (as OperatorPageTest): the search box shows a
 * job's event with each destination's state, an unknown job says so; the backfill form starts a
 * backfill of a webhook destination, its progress (listed, delivered, rate, estimated end) follows
 * on the page until it is done, and the receiver got each archived event of the range once.
 * Screenshot: docs/ops-backfill.png.
 */
class OpsLifecycleTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "ops-lifecycle-token";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void browserIsInstalled() {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's Chromium and its driver (apt-get install -y chromium chromium-driver)");
    }

    @Test
    void searchAJobAndBackfillADestinationFromThePage() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver().start()) {
            RunningHub.Builder builder = RunningHub.builder().property("hub.management.token", TOKEN)
                    .property("hub.destinations", "database,archive,indexer")
                    .property("hub.destination.indexer.type", "webhook")
                    .property("hub.destination.indexer.when", "success")
                    .property("hub.destination.indexer.url", receiver.url("/events"))
                    .property("hub.backfill.max-rate", "8").property("hub.backfill.poll-ms", "200")
                    .property("hub.backfill.checkpoint-every", "5");
            Map<String, byte[]> archived = ArchiveSeed.events("ops-archived-", 60, LocalDate.of(2026, 10, 1), 6, 0, "vod-events");
            ArchiveSeed.toFiles(Path.of(builder.property("hub.archive.dir")), archived);
            try (RunningHub hub = builder.start()) {
                assertEquals(200, hub.post(Samples.with(Samples.seed(), "JobId", "ops-search-1")).statusCode());
                hub.awaitInboxSettled(WAIT);
                receiver.clear();
                String base = "http://127.0.0.1:" + hub.property("hub.management.port");
                Path profile = Files.createTempDirectory("ops-lifecycle-chromium");
                WebDriver browser = startChromium(profile);
                try {
                    WebDriverWait wait = new WebDriverWait(browser, WAIT);
                    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
                    browser.get(base + "/ops");
                    browser.findElement(By.id("token")).sendKeys(TOKEN);
                    browser.findElement(By.id("login-button")).click();
                    wait.until(d -> !d.findElements(By.cssSelector("#backfill-destination option[value='indexer']")).isEmpty());

                    // where is job ops-search-1?
                    browser.findElement(By.id("search-job")).sendKeys("ops-search-1");
                    browser.findElement(By.id("search-button")).click();
                    WebElement database = wait.until(d -> d.findElements(By.cssSelector("#search-result tr[data-destination='database']"))
                            .stream().findFirst().orElse(null));
                    assertTrue(database.getText().contains("success") && database.getText().contains("done"), database.getText());
                    assertTrue(database.getText().contains("http"), database.getText());
                    String summary = browser.findElement(By.id("search-summary")).getText();
                    assertTrue(summary.contains("1 event(s)"), summary);
                    assertTrue(browser.findElement(By.id("search-result")).getText().contains("vod-events/"), "the archive key is shown");
                    WebElement search = browser.findElement(By.id("search-job"));
                    search.clear();
                    search.sendKeys("no-such-job");
                    browser.findElement(By.id("search-button")).click();
                    wait.until(d -> d.findElement(By.id("search-summary")).getText().contains("no events"));

                    // backfill the indexer with 2026-10-02 .. 2026-10-05 (40 archived events)
                    new Select(browser.findElement(By.id("backfill-destination"))).selectByValue("indexer");
                    ((JavascriptExecutor) browser).executeScript(
                            "document.getElementById('backfill-from').value = '2026-10-02';"
                                    + "document.getElementById('backfill-to').value = '2026-10-05';");
                    browser.findElement(By.id("backfill-button")).click();
                    wait.until(d -> d.findElement(By.id("notice")).getText().contains("Backfill of indexer"));
                    WebElement running = wait.until(d -> d.findElements(By.cssSelector("#backfills tr[data-state='running']")).stream()
                            .filter(row -> row.getText().contains("UTC")).findFirst().orElse(null));
                    assertTrue(running.getText().contains("indexer") && running.getText().contains("40"), running.getText());
                    Files.createDirectories(Path.of("docs"));
                    Files.write(Path.of("docs/ops-backfill.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                    WebElement done = wait.until(d -> d.findElements(By.cssSelector("#backfills tr[data-state='done']")).stream()
                            .findFirst().orElse(null));
                    assertTrue(done.getText().contains("indexer 2026-10-02 .. 2026-10-05 done 40 40 0 0 0"), done.getText());
                    assertEquals(40, receiver.awaitRequests(40, WAIT).size());
                    Thread.sleep(300);
                    assertEquals(40, receiver.requests().stream().map(r -> r.header("webhook-id")).distinct().count());
                    assertEquals(40, receiver.requests().size());
                } finally {
                    browser.quit();
                }
            }
        }
    }

    private static WebDriver startChromium(Path profile) {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1280,1100",
                "--user-data-dir=" + profile.toAbsolutePath());
        return new ChromeDriver(service, options);
    }
}
