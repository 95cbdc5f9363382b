package dev.drover.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs agents in bubblewrap as a dedicated unprivileged uid/gid, so that it holds when the worker is root.
 *
 * <p>Run as root, bwrap is not setuid and would map the sandbox's user onto root outside (files the agent reaches
 * would be root's). So the worker first switches to the agent's uid/gid with {@code setpriv}, dropping every
 * capability (inheritable and bounding set too), and only then starts bwrap, which builds the sandbox in a user
 * namespace of that uid: {@code --cap-drop ALL}, user/UTS/IPC/PID namespaces unshared, a new session (no terminal
 * injection), death with its parent; the host file system read-only, a private {@code /tmp}, the data directory and
 * all workspaces replaced by empty directories with the run's own workspace bound back.
 */
final class BubblewrapIsolation implements Isolation {
    private final Path bwrap;
    private final List<Path> hidden;
    private final int uid;
    private final int gid;

    private BubblewrapIsolation(Path bwrap, List<Path> hidden, int uid, int gid) {
        this.bwrap = bwrap;
        this.hidden = List.copyOf(hidden);
        this.uid = uid;
        this.gid = gid;
    }

    /** A usable bubblewrap, having passed its probe, or why not. */
    record Found(BubblewrapIsolation isolation, Isolation.Probe probe) {}

    /**
     * Finds bwrap and probes it: a process inside must have no effective capabilities, run as the agent's uid, see
     * nothing of the hidden directories and be able to write its workspace. Any failure makes bubblewrap unavailable.
     */
    static Found find(IsolationSettings settings, List<Path> hidden, Path workRoot) {
        Path bwrap = onPath("bwrap");
        if (bwrap == null) {
            return new Found(null, new Isolation.Probe("bubblewrap", false, "bwrap is not installed (apt-get install bubblewrap)"));
        }
        if (onPath("setpriv") == null) {
            return new Found(null, new Isolation.Probe("bubblewrap", false, "setpriv (util-linux) is not installed"));
        }
        BubblewrapIsolation candidate = new BubblewrapIsolation(bwrap, hidden, settings.agentUid(), settings.agentGid());
        String problem = candidate.probe(workRoot);
        return problem == null
                ? new Found(candidate, new Isolation.Probe("bubblewrap", true, "agents run as uid " + settings.agentUid()
                        + " with no capabilities; the probe found CapEff 0 and the data directory unreachable"))
                : new Found(null, new Isolation.Probe("bubblewrap", false, problem));
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (!dir.isBlank() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Null when a process inside is contained as it must be, else what is wrong. */
    String probe(Path workRoot) {
        Path ws = null;
        try {
            Files.createDirectories(workRoot);
            // others may pass through the work root to a workspace they own, not list it (0711)
            Files.setPosixFilePermissions(workRoot, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            if (!reachable(workRoot.toAbsolutePath())) {
                return "the agent's uid " + uid + " cannot reach the work root " + workRoot.toAbsolutePath()
                        + ": make its parent directories searchable (chmod o+x) or choose a work directory elsewhere";
            }
            ws = Files.createTempDirectory(workRoot.toAbsolutePath(), ".bwrap-probe-");
            Ownership.give(ws, uid, gid);
            List<String> inside = new ArrayList<>(List.of("sh", "-c",
                    "grep '^CapEff:' /proc/self/status; echo uid=$(id -u); for d in \"$@\"; do echo \"hidden=$d=$(ls -A \"$d\" 2>/dev/null | tr '\\n' ' ')\"; done; "
                            + "touch probe-file && echo writable", "probe"));
            hidden.forEach(h -> inside.add(h.toAbsolutePath().toString()));
            List<String> cmd = new ArrayList<>(List.of("setsid", "--wait"));
            cmd.addAll(wrap(inside, ws));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(ws.toFile()).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "the bubblewrap probe did not answer within 10 s";
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                return "bwrap cannot make a sandbox here (exit status " + p.exitValue() + "): " + said;
            }
            if (!said.lines().anyMatch(l -> l.matches("CapEff:\\s*0+"))) {
                return "a process inside bubblewrap still has capabilities: " + said;
            }
            if (!said.contains("uid=" + uid)) {
                return "a process inside bubblewrap does not run as uid " + uid + ": " + said;
            }
            for (String line : said.lines().filter(l -> l.startsWith("hidden=")).toList()) {
                String[] parts = line.split("=", 3);
                Path dir = Path.of(parts[1]);
                // only the way down to the run's own workspace may show, nothing else of the hidden directory
                String way = ws.startsWith(dir) && !ws.equals(dir) ? dir.relativize(ws).getName(0).toString() : null;
                for (String entry : parts.length < 3 ? new String[0] : parts[2].strip().split(" ")) {
                    if (!entry.isEmpty() && !entry.equals(way)) {
                        return "the data directory " + dir + " is reachable inside bubblewrap (it shows " + entry + ")";
                    }
                }
            }
            if (!said.contains("writable")) {
                return "the workspace is not writable inside bubblewrap: " + said;
            }
            return null;
        } catch (IOException e) {
            return "the bubblewrap probe failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (ws != null) {
                deleteQuietly(ws);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a probe directory left behind is harmless
        }
    }

    /** Whether the agent's uid/gid may walk every directory down to {@code dir} (search permission on each). */
    boolean reachable(Path dir) {
        try {
            for (Path p = dir; p != null; p = p.getParent()) {
                int owner = (Integer) Files.getAttribute(p, "unix:uid");
                int group = (Integer) Files.getAttribute(p, "unix:gid");
                int mode = (Integer) Files.getAttribute(p, "unix:mode");
                int bit = owner == uid ? 0100 : group == gid ? 010 : 01;
                if ((mode & bit) == 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "bubblewrap";
    }

    @Override
    public Place open(Spec spec) {
        Path ws = spec.workspace();
        return new HostPlace("bubblewrap", "isolation: bubblewrap (uid " + uid + ", no capabilities)", ws,
                command -> wrap(command, ws), dir -> Ownership.give(dir, uid, gid));
    }

    /**
     * The whole command line: switch to the agent's ids with no capabilities, then bwrap, then the command. bwrap
     * then runs as the agent's uid, so that uid must be able to reach the workspace (see {@link #find}).
     */
    List<String> wrap(List<String> command, Path workspace) {
        String ws = workspace.toAbsolutePath().toString();
        List<String> out = new ArrayList<>(List.of("setpriv",
                "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--",
                bwrap.toString(),
                "--ro-bind", "/", "/",
                "--dev", "/dev",
                "--proc", "/proc",
                "--tmpfs", "/tmp",
                "--unshare-user",
                "--unshare-uts",
                "--unshare-ipc",
                "--unshare-pid",
                "--new-session",
                "--die-with-parent",
                "--cap-drop", "ALL"));
        for (Path p : hidden) {
            // a directory the agent's uid cannot reach is hidden by the kernel already (and bwrap could not mount on it)
            if (Files.isDirectory(p) && reachable(p.toAbsolutePath())) {
                out.addAll(List.of("--tmpfs", p.toAbsolutePath().toString()));
            }
        }
        // a program named by its path (an agent CLI) stays visible even where the sandbox hides things, e.g. /tmp
        Path program = Path.of(command.getFirst());
        Path dir = program.isAbsolute() ? program.getParent() : null;
        if (dir != null && Files.isDirectory(dir) && hidden.stream().noneMatch(h -> dir.startsWith(h.toAbsolutePath()))) {
            out.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
        }
        out.addAll(List.of("--bind", ws, ws, "--chdir", ws, "--"));
        out.addAll(command);
        return out;
    }

}
