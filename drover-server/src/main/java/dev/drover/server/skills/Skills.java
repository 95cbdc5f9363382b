package dev.drover.server.skills;

import dev.drover.api.AgentListEnvironment;
import dev.drover.api.AgentListItem;
import dev.drover.api.AgentListSource;
import dev.drover.api.AgentListVariant;
import dev.drover.api.CloudEnvironment;
import dev.drover.api.GitHubRepo;
import dev.drover.api.ListAgentsResponse;
import dev.drover.api.PlatformErrorCode;
import dev.drover.server.auth.Principal;
import dev.drover.server.environments.Environments;
import dev.drover.server.http.ApiException;
import dev.drover.server.runs.RunLinks;
import dev.drover.server.runs.SkillResolver;
import dev.drover.server.store.Database;
import dev.drover.server.store.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Skills as agents: {@code GET /agent} lists the skills of the repositories of the caller's environments (or of
 * one repository), and run creation resolves a skill spec to one skill. Both read the {@link SkillCatalog}.
 */
public final class Skills implements SkillResolver {
    /** {@code sort_by} of {@code GET /agent}. */
    public enum Sort { NAME, LAST_RUN }

    private final Database db;
    private final SkillCatalog catalog;
    private final Environments environments;

    public Skills(Database db, SkillCatalog catalog, Environments environments) {
        this.db = db;
        this.catalog = catalog;
        this.environments = environments;
    }

    public ListAgentsResponse list(Principal caller, String repo, boolean refresh, Sort sort, boolean includeMalformed) {
        List<CloudEnvironment> envs = environments.list(caller, Environments.Sort.NAME).environments();
        List<SkillCatalog.Repo> visible = visibleRepos(envs);
        List<SkillCatalog.Repo> repos;
        if (repo != null) {
            SkillCatalog.Repo one = parseRepo(repo);
            // only repositories of the caller's environments: the server reads with its own git token, which must
            // not open another team's repositories to whoever names them
            repos = visible.stream().filter(r -> r.owner().equalsIgnoreCase(one.owner())
                    && r.name().equalsIgnoreCase(one.name())).limit(1).toList();
            if (repos.isEmpty()) {
                throw new ApiException(404, PlatformErrorCode.RESOURCE_NOT_FOUND, "repo: " + repo
                        + " is not a repository of any of your environments", false);
            }
        } else {
            repos = visible;
        }
        List<SkillCatalog.RepoSkills> read = catalog.skills(repos, refresh);
        if (repo != null && read.getFirst().unavailable() != null) {
            throw new ApiException(404, PlatformErrorCode.RESOURCE_NOT_FOUND, "repo: " + repo
                    + " was not found at the git source (" + read.getFirst().unavailable() + ")", false);
        }
        Map<String, Instant> lastRuns = lastRuns(caller);
        Map<String, List<AgentListVariant>> byName = new TreeMap<>();
        for (SkillCatalog.RepoSkills rs : read) {
            List<AgentListEnvironment> in = envs.stream()
                    .filter(e -> e.config().githubRepos().stream().anyMatch(r -> same(r, rs.repo())))
                    .map(e -> new AgentListEnvironment(e.uid(), e.config().name())).toList();
            for (SkillCatalog.Skill s : rs.skills()) {
                if (s.file().malformed() && !includeMalformed) {
                    continue;
                }
                byName.computeIfAbsent(s.file().name(), k -> new ArrayList<>()).add(new AgentListVariant(s.id(),
                        s.file().description(), s.file().body(), new AgentListSource(rs.repo().owner(),
                                rs.repo().name(), s.path(), null), in, lastRuns.get(s.id()), s.file().error()));
            }
        }
        List<AgentListItem> agents = new ArrayList<>();
        byName.forEach((name, variants) -> agents.add(new AgentListItem(name,
                variants.stream().sorted(Comparator.comparing(AgentListVariant::id)).toList())));
        if (sort == Sort.LAST_RUN) {
            Comparator<AgentListItem> latestFirst = Comparator.comparing(Skills::latest,
                    Comparator.nullsLast(Comparator.reverseOrder()));
            agents.sort(latestFirst.thenComparing(AgentListItem::name));
        }
        return new ListAgentsResponse(agents);
    }

    /**
     * Resolves a spec, filling the skill's placeholders from {@code prompt}, among the repositories of the
     * caller's environments (those of the named owner, when the spec names one). None is 404
     * {@code resource_not_found}; several are 400 listing them.
     */
    @Override
    public ResolvedSkill resolve(Principal caller, String field, String spec, String prompt) {
        SkillSpec s = SkillSpec.parse(field, spec);
        // among the repositories of the caller's environments only (see list)
        List<SkillCatalog.Repo> repos = visibleRepos(environments.list(caller, Environments.Sort.NAME).environments())
                .stream().filter(r -> r.name().equalsIgnoreCase(s.repo())
                        && (s.owner() == null || r.owner().equalsIgnoreCase(s.owner())))
                .toList();
        List<SkillCatalog.Skill> matches = new ArrayList<>();
        for (SkillCatalog.RepoSkills rs : catalog.skills(repos, false)) {
            for (SkillCatalog.Skill skill : rs.skills()) {
                if (s.matches(rs.repo().owner(), rs.repo().name(), skill.path(), skill.file().name())) {
                    matches.add(skill);
                }
            }
        }
        if (matches.isEmpty()) {
            throw new ApiException(404, PlatformErrorCode.RESOURCE_NOT_FOUND, field + ": no skill " + spec
                    + " in the repositories of your environments (see GET /agent)", false);
        }
        if (matches.size() > 1) {
            throw ApiException.badRequest(field, "\"" + spec + "\" names several skills; use one of "
                    + String.join(", ", matches.stream().map(SkillCatalog.Skill::id).toList()));
        }
        SkillCatalog.Skill found = matches.getFirst();
        if (found.file().malformed()) {
            throw ApiException.badRequest(field, found.id() + " is malformed: " + found.file().error());
        }
        String instructions = SkillArguments.substitute(found.file().body(), prompt);
        if (instructions == null) {
            throw ApiException.badRequest(field, "the instructions of " + found.id() + " with the prompt's arguments "
                    + "filled in would be larger than " + SkillArguments.MAX_CHARS + " characters");
        }
        return new ResolvedSkill(found.id(), found.file().name(), found.file().description(), found.path(),
                instructions);
    }

    private static List<SkillCatalog.Repo> visibleRepos(List<CloudEnvironment> envs) {
        return envs.stream().flatMap(e -> e.config().githubRepos().stream())
                .map(r -> new SkillCatalog.Repo(r.owner(), r.repo())).distinct().toList();
    }

    /** The latest run of each skill the caller can see, by canonical spec. */
    private Map<String, Instant> lastRuns(Principal caller) {
        Map<String, Instant> out = new HashMap<>();
        db.readOne(h -> RunLinks.lastRunOfEachSkill(h, caller.ownerIds()))
                .forEach((spec, micros) -> out.put(spec, Times.instant(micros)));
        return out;
    }

    private static Instant latest(AgentListItem a) {
        return a.variants().stream().map(AgentListVariant::lastRunTimestamp).filter(java.util.Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(null);
    }

    private static boolean same(GitHubRepo r, SkillCatalog.Repo repo) {
        return r.owner().equalsIgnoreCase(repo.owner()) && r.repo().equalsIgnoreCase(repo.name());
    }

    private static SkillCatalog.Repo parseRepo(String repo) {
        String[] parts = repo.strip().split("/", -1);
        if (parts.length != 2 || !SkillSpec.isRepoSegment(parts[0]) || !SkillSpec.isRepoSegment(parts[1])) {
            throw ApiException.badRequest("repo", "\"" + repo + "\" is not a repository; use owner/repo");
        }
        return new SkillCatalog.Repo(parts[0], parts[1]);
    }
}
