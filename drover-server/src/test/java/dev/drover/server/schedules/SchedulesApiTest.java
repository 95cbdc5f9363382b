package dev.drover.server.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.server.ServerConfig;
import dev.drover.server.auth.Principal;
import dev.drover.server.testing.Api;
import dev.drover.server.testing.Backend;
import dev.drover.server.testing.BareRepos;
import dev.drover.server.testing.MovableClock;
import dev.drover.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled agents through the API on a server whose clock the test moves: CRUD with its shapes and bad input,
 * tenancy, and firing (one run per due tick, missed ticks collapsed, failures recorded, restarts survived).
 */
abstract class SchedulesApiTest {
    static final Instant MONDAY_0859 = Instant.parse("2030-01-07T08:59:30Z");

    ServerConfig config;
    MovableClock clock;
    TestServer server;
    Api api;

    abstract Backend backend();

    BareRepos repos;

    @BeforeEach
    void start() throws Exception {
        repos = new BareRepos(java.nio.file.Files.createTempDirectory("drover-schedule-repos-"));
        config = backend().freshConfig().withTeamConcurrency(0).withGitBaseUrl(repos.root().toString());
        clock = new MovableClock(MONDAY_0859);
        server = TestServer.start(backend(), config, clock);
        api = server.admin();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Map<String, Object> schedule(String name, String cron) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("cron_schedule", cron);
        body.put("prompt", "Review the open pull requests");
        return body;
    }

    JsonNode create(Map<String, Object> body) {
        Api.Reply r = api.post("/agent/schedules", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    List<JsonNode> runsOf(String scheduleId) {
        List<JsonNode> runs = new ArrayList<>();
        api.get("/agent/runs?limit=100&schedule_id=" + scheduleId).json().get("runs").forEach(runs::add);
        return runs;
    }

    void awaitRuns(String scheduleId, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(runsOf(scheduleId)).hasSize(count));
    }

    @Test
    void aScheduleIsCreatedReadListedByNameUpdatedPausedResumedAndDeleted() {
        JsonNode daily = create(schedule("Daily review", "0 9 * * *"));
        create(schedule("Another schedule", "*/15 * * * *"));
        String id = daily.get("id").asText();
        assertThat(daily.get("enabled").asBoolean()).isTrue();
        assertThat(daily.get("cron_schedule").asText()).isEqualTo("0 9 * * *");
        assertThat(daily.get("prompt").asText()).isEqualTo("Review the open pull requests");
        assertThat(daily.get("history").get("next_run").asText()).isEqualTo("2030-01-07T09:00:00Z");
        assertThat(daily.get("history").has("last_ran")).isFalse();
        assertThat(daily.get("created_by").get("uid").asText()).isEqualTo(daily.get("updated_by").get("uid").asText());
        assertThat(daily.get("created_by").get("type").asText()).isEqualTo("user");
        assertThat(daily.get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(daily.get("created_at").asText()).isEqualTo("2030-01-07T08:59:30Z");
        assertThat(api.get("/agent/schedules/" + id).json()).isEqualTo(daily);

        List<String> names = new ArrayList<>();
        api.get("/agent/schedules").json().get("schedules").forEach(s -> names.add(s.get("name").asText()));
        assertThat(names).containsExactly("Another schedule", "Daily review");

        clock.advance(Duration.ofMinutes(5));
        Api.Reply updated = api.put("/agent/schedules/" + id, Map.of("name", "Weekly review", "cron_schedule",
                "0 10 * * 1", "prompt", "Write the weekly report", "enabled", true,
                "agent_config", Map.of("name", "reporter", "idle_timeout_minutes", 5)));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("name").asText()).isEqualTo("Weekly review");
        assertThat(updated.json().get("agent_config").get("name").asText()).isEqualTo("reporter");
        assertThat(updated.json().get("history").get("next_run").asText()).isEqualTo("2030-01-07T10:00:00Z");
        assertThat(updated.json().get("updated_at").asText()).isEqualTo("2030-01-07T09:04:30Z");

        JsonNode paused = api.post("/agent/schedules/" + id + "/pause", "").json();
        assertThat(paused.get("enabled").asBoolean()).isFalse();
        assertThat(paused.get("history").has("next_run")).isFalse();
        clock.advance(Duration.ofDays(7));
        JsonNode resumed = api.post("/agent/schedules/" + id + "/resume", "").json();
        assertThat(resumed.get("enabled").asBoolean()).isTrue();
        assertThat(resumed.get("history").get("next_run").asText()).isEqualTo("2030-01-14T10:00:00Z");

        Api.Reply deleted = api.delete("/agent/schedules/" + id);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("success").asBoolean()).isTrue();
        assertThat(api.get("/agent/schedules/" + id).status()).isEqualTo(404);
        assertThat(api.delete("/agent/schedules/" + id).status()).isEqualTo(404);
    }

    @Test
    void badInputIsRefusedWithTheFieldItIsAbout() {
        Map<String, Object> noName = schedule("x", "0 9 * * *");
        noName.remove("name");
        expect400(api.post("/agent/schedules", noName), "name:");
        expect400(api.post("/agent/schedules", schedule("x", "61 * * * *")), "cron_schedule:");
        expect400(api.post("/agent/schedules", schedule("x", "0 9 * *")), "cron_schedule:");
        expect400(api.post("/agent/schedules", schedule("x", "0 9 * * * 2031")), "cron_schedule:");
        expect400(api.post("/agent/schedules", schedule("x", "every day")), "cron_schedule:");
        Map<String, Object> noCron = schedule("x", "0 9 * * *");
        noCron.remove("cron_schedule");
        expect400(api.post("/agent/schedules", noCron), "cron_schedule:");
        Map<String, Object> noPrompt = schedule("x", "0 9 * * *");
        noPrompt.remove("prompt");
        expect400(api.post("/agent/schedules", noPrompt), "prompt:");
        Map<String, Object> badConfig = schedule("x", "0 9 * * *");
        badConfig.put("agent_config", Map.of("idle_timeout_minutes", 0));
        expect400(api.post("/agent/schedules", badConfig), "agent_config.idle_timeout_minutes:");
        Map<String, Object> badType = schedule("x", "0 9 * * *");
        badType.put("enabled", "yes");
        expect400(api.post("/agent/schedules", badType), "enabled");
        expect400(api.post("/agent/schedules", "{"), "body");

        String id = create(schedule("Daily", "0 9 * * *")).get("id").asText();
        expect400(api.put("/agent/schedules/" + id, Map.of("name", "Daily", "cron_schedule", "0 9 * * *",
                "prompt", "p")), "enabled:");
        expect400(api.put("/agent/schedules/" + id, Map.of("name", "Daily", "cron_schedule", "0 25 * * *",
                "prompt", "p", "enabled", true)), "cron_schedule:");
        // nothing half-written: the refused update left the schedule as it was
        assertThat(api.get("/agent/schedules/" + id).json().get("cron_schedule").asText()).isEqualTo("0 9 * * *");
        assertThat(api.get("/agent/schedules/not-a-schedule").status()).isEqualTo(404);
    }

    private static void expect400(Api.Reply r, String detailStart) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).as(r.toString()).contains(detailStart);
    }

    @Test
    void anotherTeamsScheduleIsNotFoundAndNotListed() {
        String id = create(schedule("Ours", "0 9 * * *")).get("id").asText();
        Api stranger = server.newTenant("stranger-" + UUID.randomUUID());
        assertThat(stranger.get("/agent/schedules/" + id).status()).isEqualTo(404);
        assertThat(stranger.put("/agent/schedules/" + id, Map.of("name", "Theirs", "cron_schedule", "0 9 * * *",
                "prompt", "p", "enabled", true)).status()).isEqualTo(404);
        assertThat(stranger.post("/agent/schedules/" + id + "/pause", "").status()).isEqualTo(404);
        assertThat(stranger.post("/agent/schedules/" + id + "/resume", "").status()).isEqualTo(404);
        assertThat(stranger.delete("/agent/schedules/" + id).status()).isEqualTo(404);
        assertThat(stranger.get("/agent/schedules").json().get("schedules")).isEmpty();
        assertThat(api.get("/agent/schedules/" + id).json().get("name").asText()).isEqualTo("Ours");
    }

    @Test
    void aDueTickCreatesOneRunThatCarriesItsSchedule() throws Exception {
        Map<String, Object> body = schedule("Daily review", "0 9 * * *");
        body.put("agent_config", Map.of("name", "reviewer"));
        String id = create(body).get("id").asText();
        assertThat(server.server().schedules().fireDue()).as("nothing is due yet").isZero();
        assertThat(runsOf(id)).isEmpty();

        clock.set(Instant.parse("2030-01-07T09:00:00Z"));
        awaitRuns(id, 1);
        JsonNode run = runsOf(id).getFirst();
        assertThat(run.get("source").asText()).isEqualTo("SCHEDULED_AGENT");
        assertThat(run.get("prompt").asText()).isEqualTo("Review the open pull requests");
        assertThat(run.get("agent_config").get("name").asText()).isEqualTo("reviewer");
        assertThat(run.get("schedule").get("schedule_id").asText()).isEqualTo(id);
        assertThat(run.get("schedule").get("schedule_name").asText()).isEqualTo("Daily review");
        assertThat(run.get("schedule").get("cron_schedule").asText()).isEqualTo("0 9 * * *");
        JsonNode history = api.get("/agent/schedules/" + id).json().get("history");
        assertThat(history.get("last_ran").asText()).isEqualTo("2030-01-07T09:00:00Z");
        assertThat(history.get("next_run").asText()).isEqualTo("2030-01-08T09:00:00Z");

        assertThat(server.server().schedules().fireDue()).as("another pass at the same time fires nothing").isZero();
        assertThat(runsOf(id)).hasSize(1);
        clock.set(Instant.parse("2030-01-08T09:00:00Z"));
        awaitRuns(id, 2);
    }

    @Test
    void ticksMissedTogetherFireOnceAndThePausedScheduleNotAtAll() throws Exception {
        String every5 = create(schedule("Every five minutes", "*/5 * * * *")).get("id").asText();
        Map<String, Object> paused = schedule("Paused", "*/5 * * * *");
        paused.put("enabled", false);
        String pausedId = create(paused).get("id").asText();
        assertThat(api.get("/agent/schedules/" + pausedId).json().get("history").has("next_run")).isFalse();

        clock.set(Instant.parse("2030-01-07T10:02:00Z")); // 13 ticks have passed since 09:00
        awaitRuns(every5, 1);
        assertThat(server.server().schedules().fireDue()).as("the missed ticks fired once").isZero();
        assertThat(runsOf(every5)).hasSize(1);
        assertThat(api.get("/agent/schedules/" + every5).json().get("history").get("next_run").asText())
                .isEqualTo("2030-01-07T10:05:00Z");
        assertThat(runsOf(pausedId)).isEmpty();
    }

    @Test
    void aTickWhoseRunIsRefusedRecordsWhyAndLaterTicksStillFire() {
        Map<String, Object> body = schedule("Broken", "0 * * * *");
        body.put("agent_config", Map.of("model_id", "no-such-model"));
        String id = create(body).get("id").asText();

        clock.set(Instant.parse("2030-01-07T09:00:00Z"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                api.get("/agent/schedules/" + id).json().has("last_spawn_error"));
        JsonNode broken = api.get("/agent/schedules/" + id).json();
        assertThat(broken.get("last_spawn_error").asText()).contains("model_id");
        assertThat(broken.get("history").has("last_ran")).isFalse();
        assertThat(broken.get("history").get("next_run").asText()).isEqualTo("2030-01-07T10:00:00Z");
        assertThat(runsOf(id)).isEmpty();

        api.put("/agent/schedules/" + id, Map.of("name", "Fixed", "cron_schedule", "0 * * * *",
                "prompt", "Review the open pull requests", "enabled", true));
        clock.set(Instant.parse("2030-01-07T10:00:00Z"));
        awaitRuns(id, 1);
        JsonNode fixed = api.get("/agent/schedules/" + id).json();
        assertThat(fixed.has("last_spawn_error")).isFalse();
        assertThat(fixed.get("history").get("last_ran").asText()).isEqualTo("2030-01-07T10:00:00Z");
    }

    @Test
    void aScheduleNamesAVisibleEnvironmentWhichCannotBeDeletedWhileInUse() {
        Api.Reply env = api.post("/agent/environments", Map.of("name", "web", "github_repos",
                List.of(Map.of("owner", "acme", "repo", "web")), "setup_commands", List.of("make deps")));
        assertThat(env.status()).as(env.toString()).isEqualTo(201);
        String uid = env.json().get("uid").asText();
        Map<String, Object> body = schedule("Nightly", "0 2 * * *");
        body.put("agent_config", Map.of("environment_id", uid));
        JsonNode created = create(body);
        assertThat(created.get("environment").get("name").asText()).isEqualTo("web");
        assertThat(created.get("environment").get("setup_commands").get(0).asText()).isEqualTo("make deps");

        Api.Reply inUse = api.delete("/agent/environments/" + uid);
        assertThat(inUse.status()).as(inUse.toString()).isEqualTo(409);
        assertThat(inUse.json().get("detail").asText()).contains("Nightly");

        String personal = api.createEnvironment(Map.of("name", "mine", "team", false));
        Map<String, Object> mixed = schedule("Mixed", "0 2 * * *");
        mixed.put("agent_config", Map.of("environment_id", personal));
        Api.Reply scopes = api.post("/agent/schedules", mixed);
        assertThat(scopes.status()).as("a team schedule cannot show a personal environment").isEqualTo(400);
        assertThat(scopes.json().get("detail").asText()).startsWith("agent_config.environment_id:");
        Map<String, Object> badSkill = schedule("Bad skill", "0 2 * * *");
        badSkill.put("agent_config", Map.of("skill_spec", "no-colon"));
        assertThat(api.post("/agent/schedules", badSkill).json().get("detail").asText())
                .startsWith("agent_config.skill_spec:");

        Map<String, Object> unknown = schedule("Elsewhere", "0 2 * * *");
        unknown.put("agent_config", Map.of("environment_id", "A".repeat(22)));
        Api.Reply refused = api.post("/agent/schedules", unknown);
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.json().get("detail").asText()).startsWith("agent_config.environment_id:");
        Api stranger = server.newTenant("env-stranger-" + UUID.randomUUID());
        Api.Reply foreign = stranger.post("/agent/schedules", body);
        assertThat(foreign.status()).isEqualTo(404);

        clock.set(Instant.parse("2030-01-08T02:00:00Z"));
        String id = created.get("id").asText();
        awaitRuns(id, 1);
        assertThat(runsOf(id).getFirst().get("agent_config").get("environment_id").asText()).isEqualTo(uid);

        assertThat(api.delete("/agent/schedules/" + id).status()).isEqualTo(200);
        assertThat(api.delete("/agent/environments/" + uid).status()).isEqualTo(200);
    }

    @Test
    void aScheduleMadeOfConfigSkillsAloneFiresRunsOfThatSkillCarryingTheSchedulesMetadata() throws Exception {
        repos.create("acme", "digest", Map.of(".agents/skills/digest/SKILL.md", "Write the digest.\n"));
        api.createEnvironment(Map.of("name", "digest", "github_repos", List.of(Map.of("owner", "acme", "repo", "digest"))));
        Map<String, Object> body = schedule("Digest", "0 9 * * 1");
        body.remove("prompt");
        body.put("agent_config", Map.of("skills", List.of("acme/digest:digest")));
        body.put("metadata", Map.of("automation_id", "digest-1"));
        body.put("mode", "normal");
        String id = create(body).get("id").asText();
        clock.set(Instant.parse("2030-01-07T09:00:00Z"));
        awaitRuns(id, 1);
        JsonNode run = runsOf(id).getFirst();
        assertThat(run.get("agent_skill").get("name").asText()).isEqualTo("digest");
        assertThat(run.get("metadata").get("automation_id").asText()).isEqualTo("digest-1");
        assertThat(api.get("/agent/runs?automation_id=digest-1").json().get("runs")).hasSize(1);
    }

    @Test
    void aScheduleOfASkillFiresRunsOfThatSkill() throws Exception {
        repos.create("acme", "tools", Map.of(".agents/skills/report/SKILL.md",
                "---\ndescription: Writes the weekly report\n---\nWrite the report for $ARGUMENTS.\n"));
        api.createEnvironment(Map.of("name", "tools", "github_repos", List.of(Map.of("owner", "acme", "repo", "tools"))));
        Map<String, Object> body = schedule("Weekly report", "0 9 * * 1");
        body.remove("prompt");
        body.put("agent_config", Map.of("skill_spec", "acme/tools:report"));
        String id = create(body).get("id").asText();
        clock.set(Instant.parse("2030-01-07T09:00:00Z"));
        awaitRuns(id, 1);
        JsonNode run = runsOf(id).getFirst();
        assertThat(run.get("agent_skill").get("name").asText()).isEqualTo("report");
        assertThat(run.get("agent_config").get("name").asText()).isEqualTo("report");

        // the skill disappears from the repository: the next tick records why it created nothing
        Map<String, Object> gone = schedule("Weekly report", "0 9 * * 1");
        gone.remove("prompt");
        gone.put("enabled", true);
        gone.put("agent_config", Map.of("skill_spec", "acme/tools:vanished"));
        assertThat(api.put("/agent/schedules/" + id, gone).status()).isEqualTo(200);
        clock.set(Instant.parse("2030-01-14T09:00:00Z"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                api.get("/agent/schedules/" + id).json().has("last_spawn_error"));
        assertThat(api.get("/agent/schedules/" + id).json().get("last_spawn_error").asText()).contains("vanished");
        assertThat(runsOf(id)).hasSize(1);
    }

    @Test
    void aScheduledRunBelongsToTheSchedulesTeamAndActsAsItsLastEditor() {
        var accounts = server.server().accounts();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String team = accounts.ensureTeam("schedulers-" + tag);
        var author = accounts.ensurePrincipal(Principal.Kind.USER, "author-" + tag + "@example.com", team, false);
        Api authorApi = new Api(server.apiBaseUrl(), accounts.createKey(author, "k", null).secret());
        Map<String, Object> body = schedule("Team job", "0 9 * * *");
        body.put("team", true);
        Api.Reply created = authorApi.post("/agent/schedules", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        // the author joins another team, and a teammate rewrites the prompt
        accounts.ensurePrincipal(Principal.Kind.USER, "author-" + tag + "@example.com",
                accounts.ensureTeam("elsewhere-" + tag), false);
        var editor = accounts.ensurePrincipal(Principal.Kind.USER, "editor-" + tag + "@example.com", team, false);
        Api editorApi = new Api(server.apiBaseUrl(), accounts.createKey(editor, "k", null).secret());
        assertThat(editorApi.put("/agent/schedules/" + id, Map.of("name", "Team job", "cron_schedule", "0 9 * * *",
                "prompt", "Edited by the teammate", "enabled", true)).status()).isEqualTo(200);

        clock.set(Instant.parse("2030-01-07T09:00:00Z"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                editorApi.get("/agent/runs?schedule_id=" + id).json().get("runs").size() == 1);
        JsonNode run = editorApi.get("/agent/runs?schedule_id=" + id).json().get("runs").get(0);
        assertThat(run.get("scope").get("type").asText()).isEqualTo("Team");
        assertThat(run.get("scope").get("uid").asText()).as("the schedule's team, not the author's first").isEqualTo(team);
        assertThat(run.get("creator").get("uid").asText()).as("the last editor answers for the prompt")
                .isEqualTo(editor.id());
        assertThat(run.get("prompt").asText()).isEqualTo("Edited by the teammate");
    }

    @Test
    void aScheduleSurvivesARestartAndTicksMissedWhileDownFireOnceOnStart() {
        String id = create(schedule("Every five minutes", "*/5 * * * *")).get("id").asText();
        server.close();

        clock.set(Instant.parse("2030-01-07T09:17:00Z")); // 09:00, 09:05, 09:10 and 09:15 passed while down
        server = TestServer.start(backend(), config, clock);
        api = server.admin();
        awaitRuns(id, 1);
        assertThat(api.get("/agent/schedules/" + id).json().get("history").get("next_run").asText())
                .isEqualTo("2030-01-07T09:20:00Z");
        clock.set(Instant.parse("2030-01-07T09:20:00Z"));
        awaitRuns(id, 2);
    }

    @Test
    void callersFiringAtOnceFireEachTickOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(create(schedule("Race " + i, "* * * * *")).get("id").asText());
        }
        Schedules schedules = server.server().schedules();
        for (int minute = 0; minute < 3; minute++) {
            clock.set(Instant.parse("2030-01-07T09:00:00Z").plus(Duration.ofMinutes(minute)));
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(Thread.ofPlatform().start(schedules::fireDue));
            }
            for (Thread t : threads) {
                t.join();
            }
            for (String id : ids) {
                awaitRuns(id, minute + 1);
            }
        }
        assertThat(schedules.fireDue()).isZero();
        for (String id : ids) {
            assertThat(runsOf(id)).hasSize(3);
        }
        long fires = server.server().database().readOne(h -> h.createQuery("SELECT COUNT(*) FROM schedule_fires")
                .mapTo(Long.class).one());
        assertThat(fires).as("only each schedule's latest tick is kept").isEqualTo(ids.size());
    }
}
