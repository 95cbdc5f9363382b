package dev.drover.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps agent commands in bubblewrap when {@code bwrap} is installed: the whole file system read-only, the
 * workspace the only writable place, a private {@code /tmp}, the given paths (the server's data directory)
 * replaced by empty directories, its own PID namespace, and death with its parent — so even a worker killed
 * with SIGKILL leaves no agent behind. Without bwrap the agent runs unconfined and every run's status says so.
 */
public final class Sandbox {
    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    private final Path bwrap;
    private final List<Path> hidden;
    private final String off;

    private Sandbox(Path bwrap, List<Path> hidden, String off) {
        this.bwrap = bwrap;
        this.hidden = List.copyOf(hidden);
        this.off = off;
    }

    /**
     * bubblewrap if it is on this host and can make a sandbox here (user namespaces may be forbidden, as by
     * AppArmor or inside an unprivileged container), else none, with the reason in every run's status.
     */
    public static Sandbox detect(List<Path> hidden) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, "bwrap");
            if (Files.isExecutable(candidate)) {
                String problem = probe(candidate);
                if (problem == null) {
                    return new Sandbox(candidate, hidden, null);
                }
                LOG.warn("bwrap is installed but cannot make a sandbox here ({}); agents run unconfined", problem);
                return new Sandbox(null, hidden, "isolation off: bwrap is installed but cannot make a sandbox on this "
                        + "worker (" + problem + ")");
            }
        }
        return new Sandbox(null, hidden, "isolation off: bwrap is not installed on this worker");
    }

    /** Runs {@code true} in a sandbox like the agents'; null when that works, else what bwrap said. */
    private static String probe(Path bwrap) {
        try {
            Process p = new ProcessBuilder(bwrap.toString(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                    "--unshare-pid", "--die-with-parent", "true").redirectErrorStream(true).start();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "it did not answer within 10 s";
            }
            String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? null : said.isEmpty() ? "exit status " + p.exitValue() : said;
        } catch (java.io.IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    public boolean isolated() {
        return bwrap != null;
    }

    /** What run statuses say about isolation. */
    public String describe() {
        return isolated() ? "isolation: bubblewrap" : off;
    }

    List<String> wrap(List<String> command, Path workspace) {
        if (!isolated()) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of(bwrap.toString(),
                "--ro-bind", "/", "/",
                "--dev", "/dev",
                "--proc", "/proc",
                "--tmpfs", "/tmp",
                "--unshare-pid",
                "--die-with-parent"));
        for (Path p : hidden) {
            if (Files.isDirectory(p)) {
                out.addAll(List.of("--tmpfs", p.toAbsolutePath().toString()));
            }
        }
        // a program named by its path (an agent CLI) stays visible even where the sandbox hides things, e.g. /tmp
        Path program = Path.of(command.getFirst());
        Path dir = program.isAbsolute() ? program.getParent() : null;
        if (dir != null && Files.isDirectory(dir) && hidden.stream().noneMatch(h -> dir.startsWith(h.toAbsolutePath()))) {
            out.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
        }
        String ws = workspace.toAbsolutePath().toString();
        out.addAll(List.of("--bind", ws, ws, "--chdir", ws, "--"));
        out.addAll(command);
        return out;
    }
}
