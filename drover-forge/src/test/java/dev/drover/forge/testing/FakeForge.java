package dev.drover.forge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drover.api.Json;
import dev.drover.forge.ForgeAccess;
import dev.drover.forge.ForgeKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GitHub, GitLab or Gitea/Forgejo REST API on a loopback port, for tests of code that talks to forges: keeps
 * repositories, issues, pull requests and comments in memory, records every request, and checks each request the way
 * the real forge does (auth header form, content type, required fields, duplicates), answering the same 4xx with the
 * same kind of message when it is wrong.
 *
 * <p>The API lives where it does on a self-hosted forge of its kind: {@code /api/v3} (GitHub Enterprise Server),
 * {@code /api/v4} (GitLab), {@code /api/v1} (Gitea), so {@code kind.apiBaseFor(fake.webBase())} equals
 * {@link #apiBase()}.
 *
 * <p>Other modules use it through the test-jar:
 * {@code <dependency><groupId>dev.drover</groupId><artifactId>drover-forge</artifactId><type>test-jar</type><scope>test</scope></dependency>}
 *
 * <pre>{@code
 * try (FakeForge github = FakeForge.start(ForgeKind.GITHUB, "ghp_test")) {
 *     github.repo("acme", "app", "main");
 *     Forge forge = Forge.of(github.access(), HttpClient.newHttpClient());
 *     forge.open("acme", "app", new PullRequestDraft("drover/fix", "main", "Fix", "body", false));
 *     assertThat(github.pullRequests()).singleElement().extracting(FakeForge.Pull::head).isEqualTo("drover/fix");
 * }
 * }</pre>
 */
public final class FakeForge implements AutoCloseable {
    private static final ObjectMapper JSON = Json.mapper();

    /** One request as it arrived; header names lower case. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }
    }

    /** A pull request (GitLab: merge request); {@code headOwner} differs from {@code owner} for one from a fork. */
    public record Pull(String owner, String repo, long number, String headOwner, String head, String base, String title,
            String body, boolean draft, String url, boolean open) {}

    /** A comment (GitLab: note) on an issue ({@code onPullRequest} false) or a pull/merge request. */
    public record Comment(String owner, String repo, boolean onPullRequest, long number, long id, String body, String url) {}

    private record Repo(long id, String owner, String name, String defaultBranch) {
        String fullName() {
            return owner + "/" + name;
        }
    }

    private record Answer(int status, Object body) {}

    private final ForgeKind kind;
    private final String token;
    private final HttpServer server;
    private final String prefix;
    private final Map<String, Repo> repos = new LinkedHashMap<>();
    private final Map<String, List<Long>> issues = new HashMap<>();
    private final Map<String, Long> nextNumber = new HashMap<>();
    private final Map<String, Long> nextMergeRequestIid = new HashMap<>();
    private final List<Pull> pulls = new ArrayList<>();
    private final List<Comment> comments = new ArrayList<>();
    private final List<Request> requests = new ArrayList<>();
    private long nextId = 1000;
    private int failuresLeft;
    private int failureStatus;

    private FakeForge(ForgeKind kind, String token) throws IOException {
        this.kind = Objects.requireNonNull(kind);
        this.token = Objects.requireNonNull(token);
        this.prefix = switch (kind) {
            case GITHUB -> "/api/v3";
            case GITLAB -> "/api/v4";
            case GITEA -> "/api/v1";
        };
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** A forge of {@code kind} that accepts only {@code token}, in that forge's auth header form. */
    public static FakeForge start(ForgeKind kind, String token) {
        try {
            return new FakeForge(kind, token);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a fake forge", e);
        }
    }

    public ForgeKind kind() {
        return kind;
    }

    /** Where the forge's web pages (and git) would be: {@code http://127.0.0.1:<port>}. */
    public URI webBase() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public URI apiBase() {
        return URI.create(webBase() + prefix);
    }

    /** Access with the token this forge accepts. */
    public ForgeAccess access() {
        return new ForgeAccess(kind, apiBase(), token);
    }

    public synchronized FakeForge repo(String owner, String name, String defaultBranch) {
        repos.put(key(owner, name), new Repo(nextId++, owner, name, defaultBranch));
        return this;
    }

    /** Opens an issue and returns its number (GitHub and Gitea number issues and pull requests together). */
    public synchronized long issue(String owner, String name) {
        requireRepo(owner, name);
        long number = nextNumber(owner, name);
        issues.computeIfAbsent(key(owner, name), k -> new ArrayList<>()).add(number);
        return number;
    }

    /** An open pull request made outside the code under test, e.g. from a fork ({@code headOwner} another owner). */
    public synchronized Pull pullRequest(String owner, String name, String headOwner, String head, String base, String title) {
        requireRepo(owner, name);
        return addPull(owner, name, headOwner, head, base, title, "", kind == ForgeKind.GITHUB ? false : isDraftTitle(title));
    }

    /** The next {@code count} requests, whatever they are, are answered with {@code status}. */
    public synchronized void failNext(int count, int status) {
        failuresLeft = count;
        failureStatus = status;
    }

    public synchronized List<Pull> pullRequests() {
        return List.copyOf(pulls);
    }

    public synchronized List<Comment> comments() {
        return List.copyOf(comments);
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            URI uri = exchange.getRequestURI();
            Request request = new Request(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), headers, body);
            Answer answer;
            synchronized (this) {
                requests.add(request);
                answer = answer(request);
            }
            byte[] bytes = answer.body() == null ? new byte[0] : JSON.writeValueAsBytes(answer.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private Answer answer(Request request) {
        if (failuresLeft > 0) {
            failuresLeft--;
            return new Answer(failureStatus, Map.of("message", "fake failure " + failureStatus));
        }
        if (!request.path().startsWith(prefix + "/")) {
            return notFound();
        }
        Answer refused = checkHeaders(request);
        if (refused != null) {
            return refused;
        }
        JsonNode json = null;
        if (request.method().equals("POST")) {
            String type = request.header("content-type");
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                return new Answer(415, Map.of("message", "Unsupported Media Type: send application/json"));
            }
            try {
                json = JSON.readTree(request.body());
            } catch (IOException e) {
                json = null;
            }
            if (json == null || !json.isObject()) {
                return new Answer(400, Map.of("message", "Problems parsing JSON"));
            }
        }
        String path = request.path().substring(prefix.length());
        Map<String, String> query = query(request.query());
        return switch (kind) {
            case GITHUB -> github(request.method(), path, query, json);
            case GITLAB -> gitlab(request.method(), path, query, json);
            case GITEA -> gitea(request.method(), path, query, json);
        };
    }

    /** The auth header in this forge's form and, for GitHub, the headers its REST API documents. */
    private Answer checkHeaders(Request request) {
        String expected = switch (kind) {
            case GITHUB -> "Bearer " + token;
            case GITLAB -> token;
            case GITEA -> "token " + token;
        };
        String given = request.header(kind == ForgeKind.GITLAB ? "PRIVATE-TOKEN" : "Authorization");
        if (!expected.equals(given)) {
            return new Answer(401, Map.of("message", switch (kind) {
                case GITHUB -> "Bad credentials";
                case GITLAB -> "401 Unauthorized";
                case GITEA -> "user does not exist [uid: 0, name: ]";
            }));
        }
        if (kind == ForgeKind.GITHUB) {
            if (request.header("User-Agent") == null) {
                return new Answer(403, Map.of("message", "Request forbidden by administrative rules. "
                        + "Please make sure your request has a User-Agent header"));
            }
            if (!"2022-11-28".equals(request.header("X-GitHub-Api-Version"))) {
                return new Answer(400, Map.of("message", "Unsupported or missing 'X-GitHub-Api-Version' header"));
            }
            if (!"application/vnd.github+json".equals(request.header("Accept"))) {
                return new Answer(415, Map.of("message", "Unsupported 'Accept' header: expected application/vnd.github+json"));
            }
        }
        return null;
    }

    // --- GitHub -----------------------------------------------------------------------------------------------------

    private static final Pattern GH_REPO = Pattern.compile("/repos/([^/]+)/([^/]+)(/.*)?");
    private static final Pattern ISSUE_COMMENTS = Pattern.compile("/issues/(\\d+)/comments");

    private Answer github(String method, String path, Map<String, String> query, JsonNode json) {
        Matcher m = GH_REPO.matcher(path);
        if (!m.matches() || !repos.containsKey(key(m.group(1), m.group(2)))) {
            return notFound();
        }
        Repo repo = repos.get(key(m.group(1), m.group(2)));
        String rest = m.group(3) == null ? "" : m.group(3);
        if (method.equals("GET") && rest.isEmpty()) {
            return ok(repoJson(repo));
        }
        if (method.equals("GET") && rest.equals("/pulls")) {
            String head = query.get("head");
            List<Object> list = new ArrayList<>();
            for (Pull pull : pullsOf(repo)) {
                boolean wanted = !"open".equals(query.getOrDefault("state", "open")) || pull.open();
                if (head != null && head.contains(":")) {
                    wanted &= head.equals(pull.headOwner() + ":" + pull.head());
                }
                if (wanted) {
                    list.add(pullJson(pull));
                }
            }
            return ok(list);
        }
        if (method.equals("POST") && rest.equals("/pulls")) {
            List<Object> missing = new ArrayList<>();
            for (String field : List.of("title", "head", "base")) {
                if (!json.hasNonNull(field) || json.get(field).asText().isBlank()) {
                    missing.add(Map.of("resource", "PullRequest", "code", "missing_field", "field", field));
                }
            }
            if (!missing.isEmpty()) {
                return new Answer(422, Map.of("message", "Validation Failed", "errors", missing));
            }
            if (json.has("draft") && !json.get("draft").isBoolean()) {
                return new Answer(422, Map.of("message", "Invalid request.\n\nFor 'properties/draft', \""
                        + json.get("draft").asText() + "\" is not a boolean."));
            }
            String head = json.get("head").asText();
            String headOwner = head.contains(":") ? head.substring(0, head.indexOf(':')) : repo.owner();
            String headRef = head.contains(":") ? head.substring(head.indexOf(':') + 1) : head;
            String base = json.get("base").asText();
            if (headRef.equals(base)) {
                return validationFailed("No commits between " + base + " and " + headRef);
            }
            for (Pull pull : pullsOf(repo)) {
                if (pull.open() && pull.headOwner().equals(headOwner) && pull.head().equals(headRef) && pull.base().equals(base)) {
                    return validationFailed("A pull request already exists for " + headOwner + ":" + headRef + ".");
                }
            }
            Pull pull = addPull(repo.owner(), repo.name(), headOwner, headRef, base, json.get("title").asText(),
                    json.path("body").asText(""), json.path("draft").asBoolean(false));
            return new Answer(201, pullJson(pull));
        }
        Matcher c = ISSUE_COMMENTS.matcher(rest);
        if (method.equals("POST") && c.matches()) {
            if (!json.hasNonNull("body") || json.get("body").asText().isBlank()) {
                return new Answer(422, Map.of("message", "Validation Failed",
                        "errors", List.of(Map.of("resource", "IssueComment", "code", "missing_field", "field", "body"))));
            }
            return issueComment(repo, Long.parseLong(c.group(1)), json.get("body").asText(), "#issuecomment-");
        }
        return notFound();
    }

    private Answer validationFailed(String message) {
        return new Answer(422, Map.of("message", "Validation Failed",
                "errors", List.of(Map.of("resource", "PullRequest", "code", "custom", "message", message))));
    }

    // --- GitLab -----------------------------------------------------------------------------------------------------

    private static final Pattern GL_PROJECT = Pattern.compile("/projects/([^/]+)(/.*)?");
    private static final Pattern GL_NOTES = Pattern.compile("/(issues|merge_requests)/(\\d+)/notes");

    private Answer gitlab(String method, String path, Map<String, String> query, JsonNode json) {
        Matcher m = GL_PROJECT.matcher(path);
        if (!m.matches()) {
            return notFound();
        }
        // the id is the URL-encoded path: a raw '/' in it would have split the segment and not matched
        Repo repo = repos.get(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
        if (repo == null) {
            return new Answer(404, Map.of("message", "404 Project Not Found"));
        }
        String rest = m.group(2) == null ? "" : m.group(2);
        if (method.equals("GET") && rest.isEmpty()) {
            return ok(Map.of("id", repo.id(), "path_with_namespace", repo.fullName(), "default_branch", repo.defaultBranch(),
                    "web_url", webBase() + "/" + repo.fullName()));
        }
        if (method.equals("GET") && rest.equals("/merge_requests")) {
            String state = query.getOrDefault("state", "all");
            String source = query.get("source_branch");
            List<Object> list = new ArrayList<>();
            for (Pull pull : pullsOf(repo)) {
                if ((state.equals("all") || state.equals("opened") == pull.open()) && (source == null || source.equals(pull.head()))) {
                    list.add(mergeRequestJson(repo, pull));
                }
            }
            return ok(list);
        }
        if (method.equals("POST") && rest.equals("/merge_requests")) {
            List<String> missing = new ArrayList<>();
            for (String field : List.of("source_branch", "target_branch", "title")) {
                if (!json.hasNonNull(field) || json.get(field).asText().isBlank()) {
                    missing.add(field + " is missing");
                }
            }
            if (!missing.isEmpty()) {
                return new Answer(400, Map.of("error", String.join(", ", missing)));
            }
            String source = json.get("source_branch").asText();
            String target = json.get("target_branch").asText();
            if (source.equals(target)) {
                return new Answer(422, Map.of("message", List.of("You can't use same project/branch for source and target")));
            }
            for (Pull pull : pullsOf(repo)) {
                if (pull.open() && pull.head().equals(source) && pull.headOwner().equals(repo.owner())) {
                    return new Answer(409, Map.of("message", List.of(
                            "Another open merge request already exists for this source branch: !" + pull.number())));
                }
            }
            String title = json.get("title").asText();
            Pull pull = addPull(repo.owner(), repo.name(), repo.owner(), source, target, title,
                    json.path("description").asText(""), isDraftTitle(title));
            return new Answer(201, mergeRequestJson(repo, pull));
        }
        Matcher n = GL_NOTES.matcher(rest);
        if (method.equals("POST") && n.matches()) {
            boolean onMergeRequest = n.group(1).equals("merge_requests");
            long iid = Long.parseLong(n.group(2));
            boolean exists = onMergeRequest
                    ? pullsOf(repo).stream().anyMatch(p -> p.number() == iid)
                    : issues.getOrDefault(key(repo.owner(), repo.name()), List.of()).contains(iid);
            if (!exists) {
                return new Answer(404, Map.of("message", onMergeRequest ? "404 Not found" : "404 Issue Not Found"));
            }
            if (!json.hasNonNull("body") || json.get("body").asText().isBlank()) {
                return new Answer(400, Map.of("error", "body is missing"));
            }
            long id = nextId++;
            String url = webBase() + "/" + repo.fullName() + "/-/" + n.group(1) + "/" + iid + "#note_" + id;
            comments.add(new Comment(repo.owner(), repo.name(), onMergeRequest, iid, id, json.get("body").asText(), url));
            return new Answer(201, Map.of("id", id, "body", json.get("body").asText(),
                    "noteable_type", onMergeRequest ? "MergeRequest" : "Issue", "noteable_iid", iid));
        }
        return notFound();
    }

    private Map<String, Object> mergeRequestJson(Repo repo, Pull pull) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", 5000 + pull.number());
        json.put("iid", pull.number());
        json.put("project_id", repo.id());
        json.put("source_project_id", pull.headOwner().equals(repo.owner()) ? repo.id() : repo.id() + 1);
        json.put("target_project_id", repo.id());
        json.put("title", pull.title());
        json.put("description", pull.body());
        json.put("state", pull.open() ? "opened" : "closed");
        json.put("source_branch", pull.head());
        json.put("target_branch", pull.base());
        json.put("draft", pull.draft());
        json.put("work_in_progress", pull.draft());
        json.put("web_url", pull.url());
        return json;
    }

    // --- Gitea ------------------------------------------------------------------------------------------------------

    private Answer gitea(String method, String path, Map<String, String> query, JsonNode json) {
        Matcher m = GH_REPO.matcher(path);
        if (!m.matches() || !repos.containsKey(key(m.group(1), m.group(2)))) {
            return notFound();
        }
        Repo repo = repos.get(key(m.group(1), m.group(2)));
        String rest = m.group(3) == null ? "" : m.group(3);
        if (method.equals("GET") && rest.isEmpty()) {
            return ok(repoJson(repo));
        }
        if (method.equals("GET") && rest.equals("/pulls")) {
            // Gitea pages with page (from 1) and limit (at most 50); it has no head filter
            int limit = Math.min(50, Math.max(1, Integer.parseInt(query.getOrDefault("limit", "30"))));
            int page = Math.max(1, Integer.parseInt(query.getOrDefault("page", "1")));
            String state = query.getOrDefault("state", "open");
            List<Pull> matching = pullsOf(repo).stream()
                    .filter(p -> state.equals("all") || state.equals("open") == p.open()).toList();
            List<Object> list = new ArrayList<>();
            for (int i = (page - 1) * limit; i < Math.min(matching.size(), page * limit); i++) {
                list.add(pullJson(matching.get(i)));
            }
            return ok(list);
        }
        if (method.equals("POST") && rest.equals("/pulls")) {
            for (String field : List.of("title", "head", "base")) {
                if (!json.hasNonNull(field) || json.get(field).asText().isBlank()) {
                    return new Answer(422, Map.of("message", "[" + Character.toUpperCase(field.charAt(0)) + field.substring(1)
                            + "]: Required", "url", webBase() + "/api/swagger"));
                }
            }
            String head = json.get("head").asText();
            String headOwner = head.contains(":") ? head.substring(0, head.indexOf(':')) : repo.owner();
            head = head.substring(head.indexOf(':') + 1);
            String base = json.get("base").asText();
            for (Pull pull : pullsOf(repo)) {
                if (pull.open() && pull.headOwner().equals(headOwner) && pull.head().equals(head) && pull.base().equals(base)) {
                    return new Answer(409, Map.of("message", "pull request already exists for these targets [id: "
                            + pull.number() + ", issue_id: " + pull.number() + ", head_branch: " + head + ", base_branch: " + base + "]"));
                }
            }
            String title = json.get("title").asText();
            Pull pull = addPull(repo.owner(), repo.name(), headOwner, head, base, title, json.path("body").asText(""),
                    isDraftTitle(title));
            return new Answer(201, pullJson(pull));
        }
        Matcher c = ISSUE_COMMENTS.matcher(rest);
        if (method.equals("POST") && c.matches()) {
            if (!json.hasNonNull("body") || json.get("body").asText().isBlank()) {
                return new Answer(422, Map.of("message", "[Body]: Required"));
            }
            return issueComment(repo, Long.parseLong(c.group(1)), json.get("body").asText(), "#issuecomment-");
        }
        return notFound();
    }

    // --- shared -----------------------------------------------------------------------------------------------------

    private Answer issueComment(Repo repo, long number, String body, String anchor) {
        boolean isIssue = issues.getOrDefault(key(repo.owner(), repo.name()), List.of()).contains(number);
        boolean isPull = pullsOf(repo).stream().anyMatch(p -> p.number() == number);
        if (!isIssue && !isPull) {
            return notFound();
        }
        long id = nextId++;
        String url = webBase() + "/" + repo.fullName() + (isPull ? (kind == ForgeKind.GITEA ? "/pulls/" : "/pull/") : "/issues/")
                + number + anchor + id;
        comments.add(new Comment(repo.owner(), repo.name(), isPull, number, id, body, url));
        return new Answer(201, Map.of("id", id, "body", body, "html_url", url));
    }

    private Map<String, Object> repoJson(Repo repo) {
        return Map.of("id", repo.id(), "name", repo.name(), "full_name", repo.fullName(),
                "default_branch", repo.defaultBranch(), "html_url", webBase() + "/" + repo.fullName());
    }

    private Map<String, Object> pullJson(Pull pull) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", 5000 + pull.number());
        json.put("number", pull.number());
        json.put("state", pull.open() ? "open" : "closed");
        json.put("title", pull.title());
        json.put("body", pull.body());
        json.put("draft", pull.draft());
        json.put("html_url", pull.url());
        json.put("head", Map.of("ref", pull.head(), "label", pull.headOwner() + ":" + pull.head(),
                "repo", Map.of("full_name", pull.headOwner() + "/" + pull.repo())));
        json.put("base", Map.of("ref", pull.base(), "repo", Map.of("full_name", pull.owner() + "/" + pull.repo())));
        return json;
    }

    private Pull addPull(String owner, String name, String headOwner, String head, String base, String title, String body,
            boolean draft) {
        long number = kind == ForgeKind.GITLAB
                ? nextMergeRequestIid.merge(key(owner, name), 1L, Long::sum)
                : nextNumber(owner, name);
        String url = webBase() + "/" + owner + "/" + name + switch (kind) {
            case GITHUB -> "/pull/";
            case GITLAB -> "/-/merge_requests/";
            case GITEA -> "/pulls/";
        } + number;
        Pull pull = new Pull(owner, name, number, headOwner, head, base, title, body, draft, url, true);
        pulls.add(pull);
        return pull;
    }

    private List<Pull> pullsOf(Repo repo) {
        return pulls.stream().filter(p -> p.owner().equals(repo.owner()) && p.repo().equals(repo.name())).toList();
    }

    private long nextNumber(String owner, String name) {
        return nextNumber.merge(key(owner, name), 1L, Long::sum);
    }

    private boolean isDraftTitle(String title) {
        return switch (kind) {
            case GITHUB -> false;
            case GITLAB -> title.startsWith("Draft:") || title.startsWith("[Draft]") || title.startsWith("(Draft)");
            case GITEA -> title.startsWith("WIP:") || title.startsWith("[WIP]");
        };
    }

    private void requireRepo(String owner, String name) {
        if (!repos.containsKey(key(owner, name))) {
            throw new IllegalArgumentException("no repository " + owner + "/" + name + ": add it with repo(...)");
        }
    }

    private static String key(String owner, String name) {
        return owner + "/" + name;
    }

    private static Answer ok(Object body) {
        return new Answer(200, body);
    }

    private Answer notFound() {
        return new Answer(404, switch (kind) {
            case GITHUB -> Map.of("message", "Not Found", "documentation_url", "https://docs.github.com/rest");
            case GITLAB -> Map.of("error", "404 Not Found");
            case GITEA -> Map.of("message", "The target couldn't be found.", "errors", List.of());
        });
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(name, value);
            }
        }
        return query;
    }
}
