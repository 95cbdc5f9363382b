package dev.drover.worker.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.TestServer;
import dev.drover.worker.IsolationSettings;
import dev.drover.worker.ScriptedModelServer;
import dev.drover.worker.Worker;
import dev.drover.worker.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The README's screenshots (docs/images/), taken from a team's plausible day: runs in every state, a skill from a
 * real repository, an environment with setup commands, a schedule, and a run whose agent read, planned, edited,
 * tested and opened a pull request — all seeded through the API, a real worker and the scripted model. Only with
 * {@code DROVER_SCREENSHOTS=<dir>} (or the system property {@code drover.screenshots}); otherwise skipped.
 */
class DashboardScreenshotsTest {
    static final String MAIN = "the flaky checkout test";

    @Test
    void theMainPagesOfABusyTeamAreCapturedForTheReadme() throws Exception {
        String dir = System.getProperty("drover.screenshots", System.getenv("DROVER_SCREENSHOTS"));
        Assumptions.assumeTrue(dir != null && !dir.isBlank(), "DROVER_SCREENSHOTS is not set");
        Assumptions.assumeTrue(Files.isExecutable(DashboardBrowserTest.CHROMIUM)
                && Files.isExecutable(DashboardBrowserTest.CHROMEDRIVER), "chromium is not installed");
        Path out = Files.createDirectories(Path.of(dir));

        BareRepos repos = new BareRepos(Files.createTempDirectory("drover-shots-repos-"));
        repos.create("acme", "billing-service", Map.of(
                ".agents/skills/fix-flaky-test/SKILL.md", """
                        ---
                        name: fix-flaky-test
                        description: Finds why a test fails only sometimes and makes it deterministic
                        ---
                        Run the test named in $ARGUMENTS twenty times, find the source of nondeterminism, fix it.
                        """,
                "tests/test_checkout.py", "def test_checkout():\n    order = place_order()\n    time.sleep(0.1)\n"
                        + "    assert order.status == 'paid'\n",
                "README.md", "# billing-service\n"));
        try (ScriptedModelServer model = new ScriptedModelServer();
                TestServer server = TestServer.start(Backend.SQLITE, Backend.SQLITE.freshConfig().withTeamConcurrency(0)
                        .withEnv(Map.of("OPENAI_API_KEY", "sk-scripted")).withGitBaseUrl(repos.root().toString()))) {
            script(model);
            Api api = server.admin();
            String env = api.createEnvironment(Map.of("name", "billing-service", "description", "Payments API (Python 3.12)",
                    "github_repos", List.of(Map.of("owner", "acme", "repo", "billing-service")),
                    "setup_commands", List.of("python3 --version || true", "echo 'pip install -r requirements.txt' > setup.log")));
            api.createEnvironment(Map.of("name", "web-frontend", "description", "The customer dashboard",
                    "setup_commands", List.of("echo 'npm ci' > setup.log")));
            assertThat(api.post("/agent/schedules", Map.of("name", "Nightly dependency review", "cron_schedule", "0 3 * * *",
                    "prompt", "Review dependency updates and open one pull request per service",
                    "agent_config", Map.of("environment_id", env))).status()).isEqualTo(201);
            assertThat(api.post("/agent/schedules", Map.of("name", "Weekly flaky-test sweep", "cron_schedule", "0 6 * * 1",
                    "prompt", "Find the flakiest test of the week and fix it")).status()).isEqualTo(201);

            Api workerKey = server.newWorkerKey("shots");
            Path work = Files.createTempDirectory("drover-shots-work-");
            try (Worker worker = new Worker(new WorkerConfig(server.apiBaseUrl(), workerKey.key(), "shots", "default", 2,
                    work, WorkerConfig.DEFAULT_RUN_TIMEOUT, WorkerConfig.DEFAULT_OUTPUT_CAP,
                    List.of(server.server().config().dataDir()),
                    Map.of("OPENAI_API_KEY", "sk-scripted", "OPENAI_BASE_URL", model.baseUrl()), Duration.ofSeconds(2))
                    .withIsolation(IsolationSettings.of("none"))).start()) {
                // finished runs first, oldest first, so the list reads like a day's work
                List<String> done = new ArrayList<>();
                done.add(run(api, "Write release notes for v0.9", "Write the release notes for v0.9 from the merged PRs", null));
                done.add(run(api, "Migrate invoices to amount_cents", "Migrate the invoices table to integer amount_cents", env));
                done.add(run(api, "Upgrade Jackson to 2.20 in every service", "Upgrade Jackson to 2.20 in every service", null));
                done.add(run(api, "Document the schedules API", "Document the schedules API in docs/api.md", null));
                String main = api.createRun(Map.of("title", "Fix the flaky checkout test", "skill", "billing-service:fix-flaky-test",
                        "prompt", "tests/test_checkout.py — " + MAIN + " fails one run in ten on CI",
                        "config", Map.of("environment_id", env, "model_id", "gpt-5-mini")));
                done.add(main);
                for (String id : done) {
                    awaitState(api, id, "SUCCEEDED|FAILED|ERROR");
                }
                String cancelled = run(api, "Rewrite the PDF renderer in Rust", "Rewrite the PDF renderer in Rust — hang", null);
                awaitState(api, cancelled, "INPROGRESS");
                api.post("/agent/runs/" + cancelled + "/cancel", Map.of());
                awaitState(api, cancelled, "CANCELLED");
                // two runs hold both slots; the next two wait in the queue
                String slow1 = run(api, "Investigate slow run listings on PostgreSQL", "Investigate slow run listings — hang", null);
                String slow2 = run(api, "Triage the open issues labelled bug", "Triage the open issues labelled bug — hang", null);
                awaitState(api, slow1, "INPROGRESS");
                awaitState(api, slow2, "INPROGRESS");
                run(api, "Translate the dashboard into German", "Translate the dashboard's strings into German", null);
                run(api, "Add retries to webhook delivery", "Add retries with backoff to webhook delivery", null);

                shoot(server, out, main);
                api.post("/agent/runs/" + slow1 + "/cancel", Map.of());
                api.post("/agent/runs/" + slow2 + "/cancel", Map.of());
            }
        }
    }

    /** What each run's agent does: the main run reads, plans, edits, tests and opens a pull request. */
    static void script(ScriptedModelServer model) {
        model.whenPromptMentions(MAIN)
                .thenCall("read_file", Map.of("path", "billing-service/tests/test_checkout.py"))
                .thenCall("create_artifact", Map.of("artifact_type", "PLAN", "title", "Make test_checkout deterministic",
                        "content", """
                                ## Cause
                                `test_checkout` sleeps **100 ms** and hopes the payment webhook has arrived by then.
                                On a busy CI runner it has not, one run in ten.

                                ## Plan
                                1. Wait for the order's `paid` event instead of sleeping.
                                2. Run the test 50 times to confirm.
                                3. Open a pull request.
                                """))
                .thenCall("edit_file", Map.of("path", "billing-service/tests/test_checkout.py",
                        "old_text", "    time.sleep(0.1)\n", "new_text", "    order.wait_for('paid', timeout=5)\n"))
                .thenCall("run_shell", Map.of("command", "for i in $(seq 50); do echo \"run $i: passed\"; done | tail -3"))
                .thenCall("create_artifact", Map.of("artifact_type", "PULL_REQUEST",
                        "url", "https://github.com/acme/billing-service/pull/412", "branch", "fix/flaky-checkout-test"))
                .thenCall("finish", Map.of("success", true, "summary",
                        "The test waited a fixed 100 ms for the payment webhook. It now waits for the order's `paid` "
                                + "event (at most 5 s); 50 runs in a row passed. Opened acme/billing-service#412."));
        model.whenPromptMentions("release notes")
                .thenCall("run_shell", Map.of("command", "echo '12 pull requests merged since v0.8'"))
                .thenCall("finish", Map.of("success", true, "summary", "Release notes drafted: 4 features, 8 fixes."));
        model.whenPromptMentions("amount_cents")
                .thenCall("run_shell", Map.of("command", "echo 'ERROR: column \"amount\" is referenced by view monthly_totals'; exit 1"))
                .thenCall("finish", Map.of("success", false, "summary",
                        "The migration stops at the view monthly_totals, which reads the old column; it needs a decision."));
        model.whenPromptMentions("Jackson")
                .thenCall("run_shell", Map.of("command", "echo 'updated 6 pom.xml files'"))
                .thenCall("finish", Map.of("success", true, "summary", "Jackson 2.20 in all six services; tests pass."));
        model.whenPromptMentions("schedules API")
                .thenCall("finish", Map.of("success", true, "summary", "docs/api.md now documents the schedules API."));
        for (String hang : new String[] {"PDF renderer", "slow run listings", "labelled bug"}) {
            model.whenPromptMentions(hang).thenHang(Duration.ofSeconds(120), "finish",
                    Map.of("success", true, "summary", "done"));
        }
        for (String queued : new String[] {"German", "webhook delivery"}) {
            model.whenPromptMentions(queued).thenCall("finish", Map.of("success", true, "summary", "done"));
        }
    }

    static String run(Api api, String title, String prompt, String env) {
        return api.createRun(env == null ? Map.of("title", title, "prompt", prompt)
                : Map.of("title", title, "prompt", prompt, "config", Map.of("environment_id", env)));
    }

    static void awaitState(Api api, String run, String states) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                api.get("/agent/runs/" + run).json().get("state").asText().matches(states));
    }

    static void shoot(TestServer server, Path out, String mainRun) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(DashboardBrowserTest.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory("drover-shots-chromium-"));
        System.setProperty("webdriver.chrome.driver", DashboardBrowserTest.CHROMEDRIVER.toString());
        ChromeDriver driver = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(DashboardBrowserTest.CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
        try {
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            String base = server.server().publicUrl();
            driver.get(base + "/sign-in");
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("api_key"))).sendKeys(TestServer.ADMIN_KEY);
            driver.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
            wait.until(ExpectedConditions.urlToBe(base + "/runs"));

            viewport(driver, 1280, 800);
            open(driver, wait, base + "/runs", "#runs-body tr[data-run-id]");
            save(driver, out, "runs-list");
            open(driver, wait, base + "/runs/" + mainRun, "#artifacts .artifacts li");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("conversation"), "Tool: finish"));
            // the plan, opened: its Markdown rendered
            driver.findElement(By.cssSelector("#artifacts .artifact-open")).click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#artifacts .preview > *")));
            save(driver, out, "run-page");
            open(driver, wait, base + "/runs/new", "#prompt");
            driver.findElement(By.id("prompt")).sendKeys("Add an index for invoices by customer and due date; "
                    + "check the query plan of the overdue-invoices report before and after.");
            save(driver, out, "start-run");
            open(driver, wait, base + "/environments", "#environment-list");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("environment-list"), "billing-service"));
            save(driver, out, "environments");
            open(driver, wait, base + "/schedules", "#schedule-list");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("schedule-list"), "Nightly"));
            save(driver, out, "schedules");

            viewport(driver, 390, 844);
            open(driver, wait, base + "/runs", "#runs-body tr[data-run-id]");
            save(driver, out, "runs-list-phone");
            viewport(driver, 1280, 800);

            // the system's dark setting, as Chromium emulates it for the page
            driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                    List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
            open(driver, wait, base + "/runs/" + mainRun, "#artifacts .artifacts li");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("conversation"), "Tool: finish"));
            save(driver, out, "run-page-dark");
        } finally {
            driver.quit();
        }
    }

    static void open(ChromeDriver driver, WebDriverWait wait, String url, String ready) {
        driver.get(url);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(ready)));
    }

    /** Makes the page's viewport (not the window, which has a frame) width × height. */
    static void viewport(ChromeDriver driver, int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        Number w = (Number) ((JavascriptExecutor) driver).executeScript("return window.innerWidth");
        Number h = (Number) ((JavascriptExecutor) driver).executeScript("return window.innerHeight");
        driver.manage().window().setSize(new Dimension(2 * width - w.intValue(), 2 * height - h.intValue()));
    }

    static void save(ChromeDriver driver, Path out, String name) throws Exception {
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0); document.activeElement.blur()");
        Thread.sleep(300); // let the last frame (fonts, a live update) settle
        Files.write(out.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }
}
