package dev.drover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * {@code GET /agent} over many repositories: {@code repos} bare repositories (two skills each) in environments of
 * at most 32 repositories, served by a Drover server in its own JVM whose git source is their directory. The
 * first listing reads every repository (clones its mirror); later ones are served from the catalog's cache, which
 * is what "stays fast with hundreds of repos" is about.
 */
final class SkillsBench {
    static final int REPOS_PER_ENVIRONMENT = 32;

    /** First (cold) listing time, then warm listing percentiles (ms), and what was listed. */
    record Result(int repos, int environments, int agents, int variants, double coldMs, double warmP50, double warmP99) {}

    /** Creates {@code count} bare repositories under {@code root}/bench/repo-N.git. */
    static void createRepos(Path root, int count) throws Exception {
        PersonIdent who = new PersonIdent("Drover Bench", "bench@drover.dev");
        for (int i = 0; i < count; i++) {
            Path scratch = Files.createTempDirectory("drover-bench-repo-");
            try (Git git = Git.init().setDirectory(scratch.toFile()).setInitialBranch("main").call()) {
                write(scratch.resolve(".agents/skills/deploy/SKILL.md"),
                        "---\nname: deploy\ndescription: Deploys repo " + i + "\n---\nDeploy $ARGUMENTS.\n");
                write(scratch.resolve(".claude/skills/tool-" + i + "/SKILL.md"), "Tool " + i + " of the bench.\n");
                write(scratch.resolve("README.md"), "# repo " + i + "\n");
                git.add().addFilepattern(".").call();
                git.commit().setMessage("skills").setAuthor(who).setCommitter(who).setSign(false).call();
            }
            Path bare = root.resolve("bench").resolve("repo-" + i + ".git");
            Files.createDirectories(bare.getParent());
            Git.cloneRepository().setURI(scratch.toUri().toString()).setDirectory(bare.toFile()).setBare(true).call()
                    .close();
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    static Result run(String api, String key, int repos, int samples) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            int environments = 0;
            for (int from = 0; from < repos; from += REPOS_PER_ENVIRONMENT) {
                List<Map<String, String>> members = new ArrayList<>();
                for (int i = from; i < Math.min(repos, from + REPOS_PER_ENVIRONMENT); i++) {
                    members.add(Map.of("owner", "bench", "repo", "repo-" + i));
                }
                send(http, api, key, "POST", "/agent/environments", Json.mapper().writeValueAsString(
                        Map.of("name", "bench-" + environments++, "github_repos", members)), 201);
            }
            long t0 = System.nanoTime();
            JsonNode cold = Json.mapper().readTree(send(http, api, key, "GET", "/agent", null, 200));
            double coldMs = (System.nanoTime() - t0) / 1e6;
            int variants = 0;
            for (JsonNode a : cold.get("agents")) {
                variants += a.get("variants").size();
            }
            if (variants != 2 * repos) {
                throw new IllegalStateException("expected " + 2 * repos + " skills, listed " + variants);
            }
            Samples warm = new Samples();
            for (int i = 0; i < 20 + samples; i++) {
                long s = System.nanoTime();
                send(http, api, key, "GET", "/agent", null, 200);
                if (i >= 20) {
                    warm.add(System.nanoTime() - s);
                }
            }
            long[] sorted = Samples.merge(List.of(warm.toArray()));
            return new Result(repos, environments, cold.get("agents").size(), variants, coldMs,
                    Samples.percentile(sorted, 0.5) / 1e6, Samples.percentile(sorted, 0.99) / 1e6);
        }
    }

    private static String send(HttpClient http, String api, String key, String method, String path, String body,
            int expected) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + key);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + res.statusCode() + ": " + res.body());
        }
        return res.body();
    }
}
