package io.nexussync.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nexussync.app.admin.AdminServer;
import io.nexussync.app.admin.ServiceAdmin;
import io.nexussync.app.admin.ConflictEndpoint;
import io.nexussync.app.admin.CriticalEndpoint;
import io.nexussync.app.admin.DeadLetterEndpoint;
import io.nexussync.app.admin.SyncMetrics;
import io.nexussync.app.admin.VerifyEndpoint;
import io.nexussync.app.service.SyncService;
import io.nexussync.core.mapping.Lane;
import io.nexussync.it.testkit.PreparedWrites;
import io.nexussync.it.testkit.SyncEnvironment;
import io.nexussync.postgres.deadletter.DeadLetterQueue;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless Chromium, driven through its chromedriver) against a running
 * service on the shared servers: the page shows the live figures and the chart, lists a dead letter once the admin token
 * is entered, and a Retry clicked in the page releases it in PostgreSQL, after which the graph has the row. One service
 * start; a screenshot goes with the test reports ({@code target/failsafe-reports/console.png}).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConsoleBrowserIT {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final Duration PAGE_WAIT = Duration.ofSeconds(30);

    @Test
    void shouldShowTheLiveFiguresAndRetryADeadLetterClickedInThePage() throws Exception {
        for (File program : new File[] {CHROMIUM, CHROMEDRIVER}) {
            assertThat(program.canExecute()).as(program + " is missing: apt-get install -y chromium chromium-driver (.ci/run installs them)").isTrue();
        }
        try (SyncEnvironment env = SyncEnvironment.create("console")) {
            env.setup();
            env.startService();
            env.awaitCaughtUp(Duration.ofSeconds(90));
            long deadLetter = deadLetterWhoseRowIsFixed(env);
            // A critical write the service commits once the graph holds it, for the console's list of critical transactions.
            PreparedWrites.prepare(env, "nexus_sync:console-1", "UPDATE content_items SET title = 'critical' WHERE title = 'row 1'");
            SyncService service = env.service();

            try (AdminServer admin = adminServer(env, service)) {
                String base = "http://127.0.0.1:" + admin.port();
                Path profile = Files.createTempDirectory("console-chromium-");
                ChromeDriver browser = browser(profile);
                try {
                    browser.get(base + "/");
                    WebDriverWait wait = new WebDriverWait(browser, PAGE_WAIT, Duration.ofMillis(200));

                    // The live figures: what /status says, and a chart drawn from /status/history.
                    long applied = service.progress().changesApplied();
                    assertThat(applied).isPositive();
                    wait.withMessage("the applied count shown is the service's (" + applied + ")")
                            .until(d -> digits(d.findElement(By.id("changes-applied")).getText()) == applied);
                    assertThat(browser.findElement(By.id("state")).getText()).isEqualTo(service.progress().stateName());
                    wait.withMessage("the throughput chart has points")
                            .until(d -> pointsIn(d, "chart-throughput") >= 2);
                    assertThat(browser.findElements(By.cssSelector("#lanes tr[data-lane]"))).hasSize(Lane.values().length);
                    assertThat(browser.findElements(By.cssSelector("#circuits tr[data-circuit]"))).hasSize(service.circuits().size());
                    assertThat(browser.findElement(By.id("health")).getText()).isEqualTo("ready");

                    // The dead letters are behind the admin token: the page asks for it, then lists them.
                    browser.findElement(By.cssSelector("#dead-letters button[data-action='enter-token']")).click();
                    answerTokenDialog(browser, wait, SyncEnvironment.ADMIN_TOKEN);
                    By row = By.cssSelector("#dead-letters tr[data-id='" + deadLetter + "']");
                    wait.withMessage("dead letter #" + deadLetter + " is listed").until(d -> !d.findElements(row).isEmpty());
                    assertThat(browser.findElement(row).getText()).contains("public.content_items").contains("infinity");
                    // The transaction log (GET /log, behind the same token) names the dead-lettered change in both systems.
                    By logged = By.xpath("//div[@id='transaction-log']//tr[td[4][text()='dead-lettered']]");
                    wait.withMessage("the transaction log lists the dead-lettered change").until(d -> !d.findElements(logged).isEmpty());
                    assertThat(browser.findElement(logged).getText()).contains("public.content_items").contains("ContentItem")
                            .contains("#" + deadLetter);
                    // The critical writes (GET /critical, behind the same token): the one prepared above, committed by the service.
                    By critical = By.cssSelector("#critical-transactions tr[data-id='console-1']");
                    wait.withMessage("the critical write is listed as committed").until(d ->
                            !d.findElements(critical).isEmpty() && d.findElement(critical).getText().contains("committed"));
                    assertThat(browser.findElement(critical).getText()).contains("nexus_sync:console-1").contains("commit (stream)");
                    saveScreenshot(browser);

                    // A token that no longer holds (rotated, say): the Retry is refused with 401 and the page asks again.
                    ((JavascriptExecutor) browser).executeScript("sessionStorage.setItem('nexus-sync.admin-token', 'a-stale-token-0123456789')");
                    wait.ignoring(StaleElementReferenceException.class).withMessage("the Retry button is clickable")
                            .until(d -> {
                                d.findElement(By.cssSelector("#dead-letters button.retry[data-id='" + deadLetter + "']")).click();
                                return true;
                            });
                    answerTokenDialog(browser, wait, SyncEnvironment.ADMIN_TOKEN);

                    // The retry reached the service: PostgreSQL has the dead letter retried, and the stream lands the row.
                    DeadLetterQueue queue = new DeadLetterQueue(env.config().postgres());
                    wait.withMessage("dead letter #" + deadLetter + " is retried in PostgreSQL")
                            .until(d -> "retried".equals(queue.show(deadLetter).status()));
                    assertThat(queue.show(deadLetter).releasedBy()).isEqualTo(AdminServer.ACTOR);
                    env.awaitCaughtUp(Duration.ofSeconds(60));
                    assertThat(env.cypher("MATCH (c:ContentItem {title: 'forever'}) RETURN count(c) AS n").get(0).get("n").asLong()).isEqualTo(1);
                    wait.withMessage("the page says so and no longer lists it").until(d ->
                            d.findElement(By.id("dead-letter-outcome")).getText().contains("Retried dead letter #" + deadLetter)
                                    && d.findElements(row).isEmpty());
                    Files.write(reports().resolve("console-after-retry.png"), browser.getScreenshotAs(OutputType.BYTES));

                    // The page did all that under its own Content-Security-Policy (self only): nothing of it was blocked.
                    assertThat(browser.manage().logs().get(LogType.BROWSER).getAll()).extracting(LogEntry::getMessage)
                            .noneMatch(line -> line.contains("Content Security Policy"));
                } finally {
                    browser.quit();
                    deleteTree(profile);
                }
            }
            assertThat(env.discrepancies()).isEmpty();
            env.stopService();
        }
    }

    /**
     * A row whose {@code updated_at} is 'infinity' has no graph form: it is dead-lettered. It is then fixed in PostgreSQL
     * (that change waits behind the dead letter), so a retry lands it.
     */
    private static long deadLetterWhoseRowIsFixed(SyncEnvironment env) throws Exception {
        UUID tenant = UUID.randomUUID();
        for (int round = 0; round < 5; round++) {
            // Some throughput for the chart.
            env.sql("INSERT INTO content_items (tenant_id, project_id, title) SELECT ?, ?, 'row ' || n FROM generate_series(1, 40) n", tenant, tenant);
            Thread.sleep(300);
        }
        env.sql("INSERT INTO content_items (tenant_id, project_id, title, updated_at) VALUES (?, ?, 'forever', 'infinity')", tenant, tenant);
        env.awaitCaughtUp(Duration.ofSeconds(60));
        DeadLetterQueue queue = new DeadLetterQueue(env.config().postgres());
        DeadLetterQueue.Entry letter = queue.list("open", 10).get(0);
        env.sql("UPDATE content_items SET updated_at = now() WHERE title = 'forever'");
        env.awaitCaughtUp(Duration.ofSeconds(60));
        assertThat(queue.parkedBehind(letter.id())).hasSize(1);
        return letter.id();
    }

    /** The admin API as {@code nexus-sync run} builds it. */
    private static AdminServer adminServer(SyncEnvironment env, SyncService service) {
        PrometheusMeterRegistry metrics = SyncMetrics.register(service.progress(), service::slotHealth, service.config().walWarnBytes());
        return ServiceAdmin.start(service, env.adminSettings(), metrics);
    }

    /**
     * Debian's Chromium through Debian's chromedriver, both named explicitly so Selenium Manager downloads nothing; the
     * flags keep Chromium off the network (this machine has none) and out of any profile but a new empty one.
     */
    private static ChromeDriver browser(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1400,2000");
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
        return new ChromeDriver(driver, options);
    }

    private static void answerTokenDialog(ChromeDriver browser, WebDriverWait wait, String token) {
        WebElement input = wait.withMessage("the page asks for the admin token").until(d -> {
            WebElement field = d.findElement(By.id("ask-input"));
            return field.isDisplayed() && "password".equals(field.getDomProperty("type")) ? field : null;
        });
        input.sendKeys(token);
        browser.findElement(By.id("ask-ok")).click();
    }

    private static int pointsIn(org.openqa.selenium.WebDriver browser, String chart) {
        var lines = browser.findElements(By.cssSelector("#" + chart + " polyline"));
        return lines.isEmpty() ? 0 : Integer.parseInt(lines.get(0).getDomAttribute("data-points"));
    }

    private static long digits(String shown) {
        String only = shown.replaceAll("[^0-9]", "");
        return only.isEmpty() ? -1 : Long.parseLong(only);
    }

    private static void saveScreenshot(ChromeDriver browser) throws Exception {
        Files.write(reports().resolve("console.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    private static Path reports() throws Exception {
        return Files.createDirectories(Path.of("target", "failsafe-reports"));
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
