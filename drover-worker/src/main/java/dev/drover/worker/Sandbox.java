package dev.drover.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps agent commands in bubblewrap when {@code bwrap} is installed: the whole file system read-only, the
 * workspace the only writable place, a private {@code /tmp}, the given paths (the server's data directory)
 * replaced by empty directories, its own PID namespace, and death with its parent — so even a worker killed
 * with SIGKILL leaves no agent behind. Without bwrap the agent runs unconfined and every run's status says so.
 */
public final class Sandbox {
    private final Path bwrap;
    private final List<Path> hidden;

    private Sandbox(Path bwrap, List<Path> hidden) {
        this.bwrap = bwrap;
        this.hidden = List.copyOf(hidden);
    }

    /** bubblewrap if it is on this host, else none. */
    public static Sandbox detect(List<Path> hidden) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, "bwrap");
            if (Files.isExecutable(candidate)) {
                return new Sandbox(candidate, hidden);
            }
        }
        return new Sandbox(null, hidden);
    }

    public boolean isolated() {
        return bwrap != null;
    }

    /** What run statuses say about isolation. */
    public String describe() {
        return isolated() ? "isolation: bubblewrap" : "isolation off: bwrap is not installed on this worker";
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
