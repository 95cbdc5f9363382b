package dev.drover.worker.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.drover.server.auth.Accounts;
import dev.drover.server.auth.Principal;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.TestServer;
import dev.drover.worker.IsolationSettings;
import dev.drover.worker.ScriptedModelServer;
import dev.drover.worker.Worker;
import dev.drover.worker.WorkerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's, through chromedriver) against a real server, a real worker
 * and the scripted model: what a person does, click by click. Skipped where chromium is not installed, unless
 * {@code DROVER_REQUIRE_BROWSER=1} (CI), where that is a failure. The README's screenshots are taken by
 * {@link DashboardScreenshotsTest}, from realistic data rather than this scenario's hostile titles.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String XSS = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";

    TestServer server;
    ScriptedModelServer model;
    Worker worker;
    WebDriver driver;
    WebDriverWait wait;
    String base;
    String liveMarker = "LIVE-" + UUID.randomUUID();
    String cancelMarker = "CANCEL-" + UUID.randomUUID();
    String liveRun;

    abstract Backend backend();

    @BeforeAll
    void start() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            assertThat("1".equals(System.getenv("DROVER_REQUIRE_BROWSER")))
                    .as("DROVER_REQUIRE_BROWSER=1 but chromium or chromedriver is missing: apt-get install chromium chromium-driver")
                    .isFalse();
            Assumptions.abort("chromium and chromium-driver are not installed");
        }
        model = new ScriptedModelServer();
        // the live run: the model thinks for a while first, so the page is open before the conversation grows
        model.whenPromptMentions(liveMarker)
                .thenHang(Duration.ofSeconds(3), "write_file", Map.of("path", "report.md",
                        "content", "# Report\n\nAll **green**.\n\n" + XSS + "\n"))
                .thenCall("run_shell", Map.of("command",
                        "mkdir -p .drover/artifacts && cp report.md .drover/artifacts/ && echo published"))
                .thenCall("finish", Map.of("success", true, "summary", "Wrote the *report* " + XSS));
        // the run to cancel: its model never answers in time
        model.whenPromptMentions(cancelMarker)
                .thenHang(Duration.ofSeconds(120), "finish", Map.of("success", true, "summary", "too late"));
        server = TestServer.start(backend(), backend().freshConfig().withTeamConcurrency(0)
                .withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")));
        base = server.server().publicUrl();
        Api workerKey = server.newWorkerKey("browser-" + UUID.randomUUID());
        Path work = Files.createTempDirectory("drover-browser-work-");
        worker = new Worker(new WorkerConfig(server.apiBaseUrl(), workerKey.key(), "browser", "default", 2, work,
                WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP, List.of(server.server().config().dataDir()),
                Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), Duration.ofSeconds(2))
                .withIsolation(IsolationSettings.of("none"))).start();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory("drover-chromium-"));
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString()); // Selenium Manager never downloads
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 800));
        wait = new WebDriverWait(driver, Duration.ofSeconds(40));
    }

    @AfterAll
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (worker != null) {
            worker.close();
        }
        if (server != null) {
            server.close();
        }
        if (model != null) {
            model.close();
        }
    }

    // ---- helpers ----

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    WebElement find(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    void signIn(String key) {
        driver.get(base + "/sign-in");
        WebElement input = find("input[name=api_key]");
        input.sendKeys(key);
        driver.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
        wait.until(ExpectedConditions.urlToBe(base + "/runs"));
        find("#sign-out");
    }

    /** Marks the window: the mark is gone after any reload or navigation. */
    void markPage() {
        js("window.__sameDocument = 'yes'");
    }

    void assertNotReloaded() {
        assertThat(js("return window.__sameDocument")).as("the page was reloaded").isEqualTo("yes");
    }

    // ---- the scenario ----

    @Test
    @Order(1)
    void aPersonSignsInStartsARunAndWatchesItsConversationAppearLive() throws IOException {
        signIn(TestServer.ADMIN_KEY);
        driver.get(base + "/runs/new");
        find("#prompt").sendKeys("Write the report " + liveMarker);
        driver.findElement(By.name("title")).sendKeys(XSS);
        driver.findElement(By.id("start-run")).click();
        wait.until(ExpectedConditions.urlMatches("/runs/[0-9a-f-]{36}$"));
        liveRun = driver.getCurrentUrl().substring(driver.getCurrentUrl().lastIndexOf('/') + 1);
        markPage();

        // the title is shown as the characters it is, never as markup
        assertThat(find("h1").getText()).isEqualTo(XSS);
        // the prompt is there at once; the model's first tool call arrives seconds later, on this same page
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("conversation"), liveMarker));
        assertThat(driver.findElement(By.id("conversation")).getText()).doesNotContain("write_file");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("conversation"), "Tool: write_file"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".run-header .state"), "SUCCEEDED"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("timeline"), "run_succeeded"));
        assertNotReloaded();

        // a tool call is folded; opening it shows its input (the live conversation may be redrawn as events
        // arrive: the call is found afresh until the click lands)
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> // folded at first
                d.findElements(By.cssSelector("#conversation details.tool")).getFirst().getAttribute("open") == null);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            WebElement tool = d.findElements(By.cssSelector("#conversation details.tool")).getFirst();
            if (tool.getAttribute("open") == null) {
                tool.findElement(By.tagName("summary")).click();
            }
            return tool.findElement(By.tagName("pre")).getText().contains("report.md");
        });

        // open the artifact: the file's text is previewed, its hostile markup inert
        WebElement open = find("#artifacts .artifact-open");
        assertThat(open.getText()).isEqualTo("Open report.md");
        open.click();
        WebElement preview = find("#artifacts .file-preview");
        assertThat(preview.getText()).contains("# Report").contains(XSS);
        assertThat(find("#artifacts a[download]").getAttribute("href")).startsWith(base + "/files/artifacts/");
        assertThat(driver.findElement(By.id("details")).getText()).contains("Inference cost");
        assertThat(js("return window.__xss")).as("an agent's markup ran as script").isNull();
        assertThat(driver.findElements(By.cssSelector("main img[src='x']"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("main script"))).isEmpty();

        // Markdown from agents: structure rendered, markup and javascript: links not
        Object rendered = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const src = document.querySelector('script[type=module]').src.replace('app.js', 'markdown.js');
                import(src).then((m) => {
                  const n = m.markdown('# Plan\\n\\n- **one** `two`\\n- [ok](https://example.com) [bad](javascript:window.__xss=4)\\n\\n'
                      + '<img src=x onerror="window.__xss=3"> <a href="javascript:alert(1)">x</a>');
                  document.querySelector('main').appendChild(n);
                  done([n.querySelectorAll('h3, li, strong, code').length, n.querySelectorAll('img, script').length,
                        [...n.querySelectorAll('a')].map((a) => a.getAttribute('href')).join(' ')]);
                });""");
        assertThat(rendered.toString()).isEqualTo("[5, 0, https://example.com/]");
        assertThat(js("return window.__xss")).isNull();

        // the run's session_link lands on its page
        String link = server.admin().get("/agent/runs/" + liveRun).json().get("session_link").asText();
        driver.get(link);
        wait.until(ExpectedConditions.urlToBe(base + "/runs/" + liveRun));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".run-header"), liveRun));

        // the list shows it too, with the same title kept as text
        driver.get(base + "/runs");
        WebElement row = find("tr[data-run-id='" + liveRun + "']");
        assertThat(row.findElement(By.cssSelector(".run-title")).getText()).isEqualTo(XSS);
        assertThat(js("return window.__xss")).isNull();
        // the server rendered that row into the page's HTML, which the browser parses before any script runs:
        // the title is text there too (parsed here as the browser parsed it, scripts inert in a DOMParser document)
        Object served = ((JavascriptExecutor) driver).executeAsyncScript("""
                const [id, done] = arguments;
                fetch('/runs', { credentials: 'same-origin' }).then((r) => r.text()).then((html) => {
                  const doc = new DOMParser().parseFromString(html, 'text/html');
                  const a = doc.querySelector(`tr[data-run-id="${id}"] .run-title`);
                  done([a ? a.textContent : null, doc.querySelectorAll('main img, main script, [onerror]').length]);
                });""", liveRun);
        assertThat(served.toString()).isEqualTo("[" + XSS + ", 0]");
        driver.navigate().refresh();
        find("tr[data-run-id='" + liveRun + "']");
        assertThat(js("return window.__xss")).isNull();
        assertThat(driver.findElements(By.cssSelector("main img[src='x']"))).isEmpty();
    }

    @Test
    @Order(2)
    void aSecondRunCancelledFromTheListShowsCancelledWithoutAReload() throws IOException {
        signIn(TestServer.ADMIN_KEY);
        String run = server.admin().createRun("Never finishes " + cancelMarker);
        driver.get(base + "/runs");
        markPage();
        find("tr[data-run-id='" + run + "']");
        // the rows came with the HTML: the script took the table over without listing the runs again
        assertThat(js("return performance.getEntriesByType('resource')"
                + ".filter((e) => e.name.includes('/api/v1/agent/runs?')).length")).isEqualTo(0L);
        assertThat(js("return document.getElementById('main').dataset.runsPage")).isNull();
        // wait until the worker has it (the model is thinking), so the cancel goes through the worker
        wait.until(d -> "INPROGRESS".equals(server.admin().get("/agent/runs/" + run).json().get("state").asText()));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("tr[data-run-id='" + run + "'] .state"), "INPROGRESS"));
        // the row is redrawn as events arrive: find the box afresh until the click lands
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            WebElement box = d.findElement(By.cssSelector("tr[data-run-id='" + run + "'] input[type=checkbox]"));
            if (!box.isSelected()) {
                box.click();
            }
            return box.isSelected();
        });
        assertThat(find("#selected-count").getText()).isEqualTo("1 selected");
        driver.findElement(By.id("bulk-cancel")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("tr[data-run-id='" + run + "'] .state"), "CANCELLED"));
        assertNotReloaded();
        assertThat(server.admin().get("/agent/runs/" + run).json().get("state").asText()).isEqualTo("CANCELLED");
    }

    @Test
    @Order(3)
    void environmentsAndSchedulesAreCreatedWithTheApisValidationMessagesOnTheFields() throws IOException {
        signIn(TestServer.ADMIN_KEY);
        driver.get(base + "/environments");
        find("#new-environment").click();
        WebElement form = find("#environment-form");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement error = find("#environment-form .field-error");
        assertThat(error.getText()).isEqualTo("name: is required");
        assertThat(form.findElement(By.name("name")).getAttribute("aria-invalid")).isEqualTo("true");
        String name = "web-env-" + UUID.randomUUID().toString().substring(0, 8);
        form.findElement(By.name("name")).sendKeys(name);
        form.findElement(By.name("setup_commands")).sendKeys("echo ready");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("environment-list"), name));
        assertThat(server.admin().get("/agent/environments").json().get("environments").toString()).contains(name)
                .contains("echo ready");

        driver.get(base + "/schedules");
        find("#new-schedule").click();
        WebElement sched = find("#schedule-form");
        String sname = "nightly-" + UUID.randomUUID().toString().substring(0, 8);
        sched.findElement(By.name("name")).sendKeys(sname);
        sched.findElement(By.name("cron_schedule")).sendKeys("every night");
        sched.findElement(By.name("prompt")).sendKeys("Tidy up");
        new Select(sched.findElement(By.name("environment_id"))).selectByVisibleText(name);
        sched.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement cronError = find("#schedule-form .field-error");
        assertThat(cronError.getText()).startsWith("cron_schedule:");
        assertThat(sched.findElement(By.name("cron_schedule")).getAttribute("aria-invalid")).isEqualTo("true");
        WebElement cron = sched.findElement(By.name("cron_schedule"));
        cron.clear();
        cron.sendKeys("0 3 * * *");
        sched.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("schedule-list"), sname));
        WebElement srow = find("#schedule-list tbody tr");
        assertThat(srow.getText()).contains("active");
        srow.findElement(By.cssSelector("button.toggle")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("schedule-list"), "paused"));
        assertThat(server.admin().get("/agent/schedules").json().get("schedules").get(0).get("enabled").asBoolean()).isFalse();
    }

    @Test
    @Order(4)
    void theSessionCookieIsHttpOnlyAndAPostFromAnotherOriginIsRefused() throws Exception {
        signIn(TestServer.ADMIN_KEY);
        Cookie cookie = driver.manage().getCookieNamed("drover_session");
        assertThat(cookie).isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat((String) js("return document.cookie")).doesNotContain("drover_session");
        assertThat((String) js("return JSON.stringify(Object.assign({}, localStorage, sessionStorage))"))
                .doesNotContain("drv_");

        // a page on another origin of the same host (so the browser even sends the Strict cookie along) posts a form
        HttpServer evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String marker = "cross-site-" + UUID.randomUUID();
        byte[] page = ("<!doctype html><form method=post enctype=text/plain action=\"" + base + "/api/v1/agent/runs\">"
                + "<input name='{\"prompt\":\"" + marker + "\",\"x\":\"' value='\"}'><button id=go>go</button></form>")
                .getBytes(StandardCharsets.UTF_8);
        evil.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/html");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        evil.start();
        try {
            driver.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
            find("#go").click();
            wait.until(ExpectedConditions.urlToBe(base + "/api/v1/agent/runs"));
            String body = driver.findElement(By.tagName("body")).getText();
            assertThat(body).contains("\"status\":403").contains("Sec-Fetch-Site");
        } finally {
            evil.stop(0);
        }
        assertThat(server.admin().get("/agent/runs?q=" + marker).json().get("runs")).isEmpty();
    }

    @Test
    @Order(5)
    void afterSignOutASecondTeamSeesNoneOfTheFirstTeamsRuns() {
        signIn(TestServer.ADMIN_KEY);
        find("#sign-out").click();
        wait.until(ExpectedConditions.urlContains("/sign-in"));
        driver.get(base + "/runs");
        wait.until(ExpectedConditions.urlContains("/sign-in?next="));
        assertThat(driver.manage().getCookieNamed("drover_session")).isNull();

        Accounts accounts = server.server().accounts();
        String team = accounts.ensureTeam("browser-other-" + UUID.randomUUID());
        Principal other = accounts.ensurePrincipal(Principal.Kind.USER, "other-" + UUID.randomUUID() + "@example.com", team, false);
        signIn(accounts.createKey(other, "browser", null).secret());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("runs-body"), "No runs match."));
        assertThat(driver.findElements(By.cssSelector("tr[data-run-id]"))).isEmpty();
        driver.get(base + "/runs/" + liveRun);
        assertThat(find("#not-found").getText()).isEqualTo("No run you can see has this id.");
        assertThat(driver.getPageSource()).doesNotContain(liveMarker);
    }

    @Test
    @Order(6)
    void thePagesFitAPhoneWideScreen() {
        signIn(TestServer.ADMIN_KEY);
        driver.manage().window().setSize(new Dimension(390, 844));
        try {
            for (String path : new String[] {"/runs", "/runs/" + liveRun, "/runs/new", "/environments", "/schedules"}) {
                driver.get(base + path);
                find("h1");
                Number overflow = (Number) js("return document.documentElement.scrollWidth - window.innerWidth");
                assertThat(overflow.intValue()).as(path + " scrolls sideways").isLessThanOrEqualTo(0);
            }
        } finally {
            driver.manage().window().setSize(new Dimension(1280, 800));
        }
    }

    @Test
    @Order(7)
    void theShellIsUsableByKeyboard() {
        signIn(TestServer.ADMIN_KEY);
        driver.get(base + "/runs");
        find("#runs-table");
        // the first Tab reaches "Skip to content", which takes the focus to the page's content
        new org.openqa.selenium.interactions.Actions(driver).sendKeys(org.openqa.selenium.Keys.TAB).perform();
        WebElement skip = driver.switchTo().activeElement();
        assertThat(skip.getText()).isEqualTo("Skip to content");
        skip.sendKeys(org.openqa.selenium.Keys.ENTER);
        wait.until(d -> "main".equals(js("return document.activeElement.id")));
        // the next Tabs walk the page's own controls: the filters' summary first
        new org.openqa.selenium.interactions.Actions(driver).sendKeys(org.openqa.selenium.Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement().getTagName()).isEqualTo("summary");
    }
}
