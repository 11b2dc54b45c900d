package dev.quill.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Base of the browser tests: one headless Chromium per test class (Debian's {@code chromium} and
 * {@code chromium-driver}, paths set explicitly so Selenium never downloads a driver), against the
 * Quarkus test server. A failing test saves a screenshot under target/ui-screenshots/. Helpers
 * read the browser console and the network log, so tests can assert no console errors and no
 * request off 127.0.0.1.
 *
 * <p>Without chromium the tests fail (CI installs it; see .ci/run). Override the paths with
 * {@code -Dquill.chromium=...} and {@code -Dquill.chromedriver=...}.
 */
@ExtendWith(BrowserTestSupport.ScreenshotOnFailure.class)
public abstract class BrowserTestSupport {
    public static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
    static final Duration WAIT = Duration.ofSeconds(30);

    protected static WebDriver driver;

    @TestHTTPResource("/")
    protected URI root;

    protected TestHttp http;
    private static int loads;

    @BeforeAll
    static void startBrowser() {
        SharedData.model("stories260K.gguf");
        String browser = System.getProperty("quill.chromium", "/usr/bin/chromium");
        String chromedriver = System.getProperty("quill.chromedriver", "/usr/bin/chromedriver");
        if (!Files.isExecutable(Path.of(browser)) || !Files.isExecutable(Path.of(chromedriver))) {
            fail("browser tests need headless Chromium: " + browser + " and " + chromedriver + " must exist"
                    + " (Debian: apt-get install -y chromium chromium-driver; .ci/run installs them)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,950",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps", "--lang=en-US");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL", LogType.PERFORMANCE, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
    }

    @BeforeEach
    void setUpHttp() {
        http = new TestHttp(root, null);
        driver.manage().window().setSize(new Dimension(1400, 950));
        // Each test judges only its own console messages and requests.
        consoleLog();
        requestedUrls();
    }

    /** Opens a view by its hash route ("chat", "compare", ...) on a fresh page. */
    protected void open(String route) {
        // A new query string each time: a change of the hash alone would not reload the page.
        driver.get(root.resolve("/").toString() + "?load=" + (++loads) + "#/" + route);
        waitUntil(d -> !d.findElements(By.cssSelector("#view > :not(.loading)")).isEmpty());
    }

    protected <T> T waitUntil(Function<WebDriver, T> condition) {
        return waitUntil(WAIT, condition);
    }

    protected <T> T waitUntil(Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(20)).until(condition);
    }

    protected WebElement find(String css) {
        return waitUntil(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0);
        });
    }

    protected Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Every console message since the last read, for a failure report. */
    public List<String> consoleLog() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(e -> e.getLevel() + " " + e.getMessage()).toList();
    }

    /** Console messages of level SEVERE since the last read (errors, failed resource loads). */
    protected List<String> consoleErrors() {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    protected void assertNoConsoleErrors() {
        List<String> errors = consoleErrors();
        assertTrue(errors.isEmpty(), "the browser console has errors: " + errors);
    }

    /** Every URL the page requested since the last read, from Chrome's network log. */
    protected List<String> requestedUrls() {
        List<String> urls = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = TestHttp.json(e.getMessage()).path("message");
            if (message.path("method").asText().equals("Network.requestWillBeSent")) {
                urls.add(message.path("params").path("request").path("url").asText());
            }
        }
        return urls;
    }

    /** No request left the machine: every URL is on 127.0.0.1/localhost, or data:/blob:. */
    protected void assertAllRequestsLocal() {
        List<String> urls = requestedUrls();
        assertTrue(!urls.isEmpty(), "the network log is empty: cannot check where requests went");
        for (String url : urls) {
            URI u = URI.create(url.replace(" ", "%20"));
            String scheme = u.getScheme();
            boolean local = "data".equals(scheme) || "blob".equals(scheme)
                    || ("http".equals(scheme) && ("127.0.0.1".equals(u.getHost()) || "localhost".equals(u.getHost())));
            assertTrue(local, "the page requested " + url + ", which is not on this machine");
        }
    }

    /** Saves a PNG of the window under target/ui-screenshots/NAME.png and returns its path. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path png = SCREENSHOTS.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), png, StandardCopyOption.REPLACE_EXISTING);
            return png;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's generated-token counter for a model (/q/metrics). */
    protected double generatedTokens(String model) {
        for (String line : http.get("/q/metrics").body().split("\n")) {
            if (line.startsWith("quill_generated_tokens_total{") && line.contains("model=\"" + model + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** Saves a screenshot of a failed test, named after its class and method. */
    static final class ScreenshotOnFailure implements AfterTestExecutionCallback {
        @Override
        public void afterTestExecution(ExtensionContext context) {
            if (context.getExecutionException().isEmpty()) {
                return;
            }
            String name = "FAILED-" + context.getRequiredTestClass().getSimpleName() + "-"
                    + context.getRequiredTestMethod().getName();
            try {
                // The test instance lives in Quarkus' class loader: call it reflectively.
                Object instance = context.getRequiredTestInstance();
                Object path = instance.getClass().getMethod("screenshot", String.class).invoke(instance, name);
                System.err.println("browser test failed; screenshot: " + path);
                System.err.println("browser console: " + instance.getClass().getMethod("consoleLog").invoke(instance));
            } catch (ReflectiveOperationException | RuntimeException e) {
                System.err.println("could not save a screenshot of " + name + ": " + e);
            }
        }
    }
}
