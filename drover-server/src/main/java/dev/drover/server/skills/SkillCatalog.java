package dev.drover.server.skills;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skills of each repository, read from its mirror and kept in memory. A listing is served from this cache:
 * an entry older than {@code maxAge} is still served while one background fetch renews it, so listing hundreds
 * of repositories costs no git traffic on the request path once they have been read once. {@code refresh}
 * fetches synchronously. Fetches run at most {@value #PARALLEL_FETCHES} at a time.
 */
public final class SkillCatalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SkillCatalog.class);
    static final int PARALLEL_FETCHES = 8;
    /** The longest a listing or a run creation waits for repositories not read yet. */
    static final Duration READ_WAIT = Duration.ofMinutes(2);

    private final RepoMirrors mirrors;
    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final Map<String, Boolean> renewing = new ConcurrentHashMap<>();
    private final Semaphore fetches = new Semaphore(PARALLEL_FETCHES);
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    public SkillCatalog(java.nio.file.Path mirrorRoot, java.util.function.BiFunction<String, String, String> cloneUrl,
            String gitToken, Clock clock, Duration maxAge) {
        this.mirrors = new RepoMirrors(mirrorRoot, cloneUrl, gitToken);
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** A repository named by an environment or a request. */
    public record Repo(String owner, String name) {
        String key() {
            return owner + "/" + name;
        }
    }

    /** A skill file of a repository, parsed; {@code file.error()} is set when it is malformed. */
    public record Skill(Repo repo, String path, SkillFile file) {
        /** The variant id and canonical skill spec: {@code owner/repo:path/SKILL.md}. */
        public String id() {
            return repo.owner() + "/" + repo.name() + ":" + path;
        }
    }

    /** What a repository's read produced: its skills, or why it could not be read. */
    public record RepoSkills(Repo repo, List<Skill> skills, String unavailable) {}

    private record Entry(Instant readAt, RepoSkills skills) {}

    /**
     * The skills of {@code repos}, in their order, each from the cache when it has them (renewed in the background
     * when older than the maximum age), else read now; with {@code refresh}, every one is fetched now.
     */
    public List<RepoSkills> skills(List<Repo> repos, boolean refresh) {
        Map<Repo, Future<RepoSkills>> reads = new LinkedHashMap<>();
        for (Repo repo : repos.stream().distinct().toList()) {
            Entry e = cache.get(repo.key());
            if (e != null && !refresh) {
                if (Duration.between(e.readAt(), clock.instant()).compareTo(maxAge) > 0
                        && renewing.putIfAbsent(repo.key(), Boolean.TRUE) == null) {
                    background.submit(() -> {
                        try {
                            read(repo);
                        } finally {
                            renewing.remove(repo.key());
                        }
                    });
                }
                reads.put(repo, java.util.concurrent.CompletableFuture.completedFuture(e.skills()));
            } else {
                reads.put(repo, background.submit(() -> read(repo)));
            }
        }
        List<RepoSkills> out = new ArrayList<>();
        long deadline = System.nanoTime() + READ_WAIT.toNanos();
        for (Map.Entry<Repo, Future<RepoSkills>> r : reads.entrySet()) {
            try {
                out.add(r.getValue().get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading skills", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the read goes on in the background and fills the cache; this answer goes without it
                out.add(new RepoSkills(r.getKey(), List.of(), "not read in time (" + e + ")"));
            }
        }
        return out;
    }

    /** Fetches the repository and parses its skills; an unreadable repository is remembered as such too. */
    private RepoSkills read(Repo repo) {
        fetches.acquireUninterruptibly();
        RepoSkills result;
        try {
            mirrors.update(repo.owner(), repo.name());
            result = new RepoSkills(repo, parse(repo), null);
        } catch (RuntimeException e) {
            // a corrupt mirror or a full disk: this repository is unavailable, the others are still listed
            LOG.warn("cannot read the skills of {}: {}", repo.key(), e.toString());
            result = new RepoSkills(repo, List.of(), e.toString());
        } catch (RepoMirrors.RepoUnavailable e) {
            if (mirrors.exists(repo.owner(), repo.name())) {
                // the source is down or refusing; the mirror we have is the best answer there is
                LOG.warn("serving the last fetched skills of {}: {}", repo.key(), e.getMessage());
                result = new RepoSkills(repo, parse(repo), null);
            } else {
                result = new RepoSkills(repo, List.of(), e.getMessage());
            }
        } finally {
            fetches.release();
        }
        cache.put(repo.key(), new Entry(clock.instant(), result));
        return result;
    }

    /**
     * Parses the skill files. Within one repository a skill name defined in several agent folders is the one of
     * the folder with the highest precedence; malformed files are kept (listed only on request).
     */
    private List<Skill> parse(Repo repo) {
        List<Skill> all = new ArrayList<>();
        for (RepoMirrors.RepoFile f : mirrors.skillFiles(repo.owner(), repo.name())) {
            SkillPaths.Location at = SkillPaths.locate(f.path()).orElseThrow();
            SkillFile parsed = f.text() == null
                    ? new SkillFile(at.folderName(), "", "", Map.of(), "SKILL.md is larger than "
                            + RepoMirrors.MAX_SKILL_BYTES / 1024 + " KiB")
                    : SkillFile.parse(at.folderName(), f.text());
            all.add(new Skill(repo, f.path(), parsed));
        }
        Map<String, Integer> best = new LinkedHashMap<>();
        for (Skill s : all) {
            if (!s.file().malformed()) {
                best.merge(s.file().name(), precedence(s), Math::min);
            }
        }
        return all.stream()
                .filter(s -> s.file().malformed() || precedence(s) == best.get(s.file().name()))
                .sorted(Comparator.comparing(Skill::path))
                .toList();
    }

    private static int precedence(Skill s) {
        return SkillPaths.locate(s.path()).orElseThrow().precedence();
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
