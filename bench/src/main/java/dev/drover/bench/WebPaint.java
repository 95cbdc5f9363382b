package dev.drover.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's own cost: how long the runs page takes to show its first page of runs, against how long the API
 * takes to answer the same list. The page is measured in headless Chromium (Debian's, through chromedriver), signed
 * in once, its assets cached as they are for a returning person; each sample is a fresh navigation to {@code /runs},
 * timed from the navigation's start to the first frame painted with the rows, which the server renders into the
 * HTML (see {@link #painted}). Also reported: when the script has taken the table over (the page marks it:
 * {@code performance.mark('drover:runs-painted')}). The API is timed with {@code limit=50}, the page's query.
 */
final class WebPaint {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** Medians and p99s in milliseconds. */
    record Result(double apiP50, double apiP99, double pageP50, double pageP99, double fcpP50, double coldPageMs,
            int rows, double htmlP50, int listRequests, double takeoverP50, int paintedBeforeParsed, double shellFcpP50,
            double staticFcpP50) {}

    /** Navigations to the static floor page before its samples count. */
    private static final int LIST_WARMUP_FLOOR = 10;

    /** Samples whose first paint came before the document (and so every row) was parsed. */
    private static int paintedBeforeParsed;

    private WebPaint() {}

    static Result run(String base, String key, int warmup, int samples) throws IOException, InterruptedException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the web suite needs Debian's chromium and chromium-driver: "
                    + "apt-get install chromium chromium-driver");
        }
        long[] api = apiLatency(base, key, warmup, samples);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory("drover-bench-chromium-"));
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        WebDriver driver = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            driver.get(base + "/sign-in");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("api_key"))).sendKeys(key);
            driver.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
            // the first page after sign-in loads every asset: the cold number
            wait.until(ExpectedConditions.urlToBe(base + "/runs"));
            double cold = painted(driver, wait);
            int rows = ((Number) ((JavascriptExecutor) driver).executeScript(
                    "return document.querySelectorAll('#runs-body tr[data-run-id]').length")).intValue();
            for (int i = 0; i < warmup; i++) {
                driver.get(base + "/runs");
                painted(driver, wait);
            }
            paintedBeforeParsed = 0;
            long[] page = new long[samples];
            long[] fcp = new long[samples];
            long[] html = new long[samples];
            long[] takeover = new long[samples];
            for (int i = 0; i < samples; i++) {
                driver.get(base + "/runs");
                page[i] = Math.round(painted(driver, wait) * 1000);
                takeover[i] = Math.round(takenOver(wait) * 1000);
                fcp[i] = Math.round(((Number) ((JavascriptExecutor) driver).executeScript(
                        "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : -1"))
                        .doubleValue() * 1000);
                html[i] = Math.round(((Number) ((JavascriptExecutor) driver).executeScript(
                        "return performance.getEntriesByType('navigation')[0].responseEnd")).doubleValue() * 1000);
            }
            // the rows come with the HTML: the script lists nothing for the first page
            int listRequests = ((Number) ((JavascriptExecutor) driver).executeScript("return performance"
                    + ".getEntriesByType('resource').filter(e => e.name.includes('/api/v1/agent/runs')).length")).intValue();
            // the floor: the same shell, assets and browser without rows (a sort the API refuses gets the plain
            // shell), timed to its first contentful paint — what Chromium costs here before Drover's data counts
            long[] shell = new long[samples];
            for (int i = 0; i < samples; i++) {
                driver.get(base + "/runs?sort_by=refused");
                shell[i] = Math.round(((Number) wait.until(d -> ((JavascriptExecutor) d).executeScript(
                        "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null")))
                        .doubleValue() * 1000);
            }
            long[] trivial = staticPageFloor(driver, wait, samples);
            Arrays.sort(shell);
            Arrays.sort(html);
            Arrays.sort(page);
            Arrays.sort(fcp);
            Arrays.sort(takeover);
            return new Result(Samples.percentile(api, 0.5) / 1e6, Samples.percentile(api, 0.99) / 1e6,
                    Samples.percentile(page, 0.5) / 1e3, Samples.percentile(page, 0.99) / 1e3,
                    Samples.percentile(fcp, 0.5) / 1e3, cold, rows, Samples.percentile(html, 0.5) / 1e3, listRequests,
                    Samples.percentile(takeover, 0.5) / 1e3, paintedBeforeParsed, Samples.percentile(shell, 0.5) / 1e3,
                    Samples.percentile(trivial, 0.5) / 1e3);
        } finally {
            driver.quit();
        }
    }

    /**
     * Milliseconds from the navigation's start to the first frame painted with the rows. The rows come with the HTML,
     * so that is the first contentful paint when the document had been parsed before it ({@code domInteractive},
     * which includes the last row, not after the paint): a frame rendered after parsing has every row. Chromium can
     * paint while it still parses a long document; such a sample takes the frame after the script took the table
     * over instead (later, so the number errs high), and is counted.
     */
    private static double painted(WebDriver driver, WebDriverWait wait) {
        Object t = wait.until(d -> ((JavascriptExecutor) d).executeScript("""
                const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                const nav = performance.getEntriesByType('navigation')[0];
                const rows = document.querySelectorAll('#runs-body tr[data-run-id]').length;
                const mark = performance.getEntriesByName('drover:runs-painted')[0];
                if (!fcp || !nav || !nav.domInteractive || !mark || !rows) return null;
                return nav.domInteractive <= fcp.startTime ? fcp.startTime : -mark.startTime;"""));
        double ms = ((Number) t).doubleValue();
        if (ms < 0) {
            paintedBeforeParsed++;
        }
        return Math.abs(ms);
    }

    /**
     * The browser's floor with no Drover in it: a one-line static HTML page ({@code <p>Drover</p>}, no stylesheet,
     * no script) served by the JDK's own HTTP server from this process, timed the same way, navigation start to
     * first contentful paint. What any page costs in this Chromium on this machine before its content counts.
     */
    private static long[] staticPageFloor(WebDriver driver, WebDriverWait wait, int samples) throws IOException {
        byte[] page = "<!doctype html><html lang=\"en\"><title>floor</title><p>Drover</p></html>"
                .getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().add("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            long[] fcp = new long[samples];
            for (int i = -LIST_WARMUP_FLOOR; i < samples; i++) {
                driver.get(url);
                double ms = ((Number) wait.until(d -> ((JavascriptExecutor) d).executeScript(
                        "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null")))
                        .doubleValue();
                if (i >= 0) {
                    fcp[i] = Math.round(ms * 1000);
                }
            }
            Arrays.sort(fcp);
            return fcp;
        } finally {
            server.stop(0);
        }
    }

    /** Milliseconds from the navigation's start to the frame after the script took the table over. */
    private static double takenOver(WebDriverWait wait) {
        Object t = wait.until(d -> ((JavascriptExecutor) d).executeScript(
                "const m = performance.getEntriesByName('drover:runs-painted')[0]; return m ? m.startTime : null"));
        return ((Number) t).doubleValue();
    }

    private static long[] apiLatency(String base, String key, int warmup, int samples)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/agent/runs?limit=50"))
                .header("Authorization", "Bearer " + key).build();
        for (int i = 0; i < warmup; i++) {
            http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        }
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            nanos[i] = System.nanoTime() - t0;
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET /agent/runs answered " + r.statusCode());
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }
}
