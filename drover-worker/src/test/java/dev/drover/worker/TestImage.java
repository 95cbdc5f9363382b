package dev.drover.worker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A tiny image built through the engine's API from a tar context, so the tests need nothing but the engine: the
 * host's static busybox with a link per applet, and a marker file that proves a process runs inside the image.
 * No registry is involved (none is reachable on the CI machines).
 */
public final class TestImage {
    public static final String TAG = "localhost/drover-test-busybox:1";
    public static final String MARKER_PATH = "/etc/drover-test-image";
    public static final String MARKER = "built-by-drover-tests-7f3a";

    private TestImage() {}

    /** A client for the engine the worker would use (DOCKER_HOST or the default socket), or null without one. */
    public static DockerClient client() {
        String endpoint = ContainerIsolation.endpoint(IsolationSettings.fromEnv(System.getenv()));
        if (endpoint == null) {
            return null;
        }
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(endpoint).build();
        var http = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).build();
        DockerClient docker = DockerClientImpl.getInstance(config, http);
        try {
            docker.pingCmd().exec();
            return docker;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Builds the image (once per engine; the build is cached by tag). */
    public static String build(DockerClient docker) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            throw new IllegalStateException("the container tests need Debian's busybox-static (/bin/busybox)");
        }
        Process list = new ProcessBuilder(busybox.toString(), "--list").start();
        List<String> applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(s -> !s.isBlank() && !s.equals("busybox")).toList();
        ByteArrayOutputStream rootfs = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(rootfs)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : List.of("bin/", "etc/", "proc/", "sys/", "dev/", "usr/", "usr/bin/")) {
                TarArchiveEntry e = new TarArchiveEntry(dir);
                e.setMode(040755);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
            TarArchiveEntry tmp = new TarArchiveEntry("tmp/");
            tmp.setMode(041777);
            tar.putArchiveEntry(tmp);
            tar.closeArchiveEntry();
            file(tar, "bin/busybox", Files.readAllBytes(busybox), 0100755);
            for (String applet : applets) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            file(tar, MARKER_PATH.substring(1), (MARKER + "\n").getBytes(StandardCharsets.UTF_8), 0100644);
            file(tar, "etc/os-release", "NAME=\"drover test image\"\nID=drover-test\n".getBytes(StandardCharsets.UTF_8), 0100644);
            file(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0100644);
        }
        ByteArrayOutputStream context = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(context)) {
            file(tar, "Dockerfile", "FROM scratch\nADD rootfs.tar /\nCMD [\"sh\"]\n".getBytes(StandardCharsets.UTF_8), 0100644);
            file(tar, "rootfs.tar", rootfs.toByteArray(), 0100644);
        }
        return docker.buildImageCmd(new ByteArrayInputStream(context.toByteArray())).withTags(Set.of(TAG))
                .start().awaitImageId();
    }

    /** The containers (running or not) labelled with {@code runId}. */
    public static List<String> containersOfRun(DockerClient docker, String runId) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(java.util.Map.of(ContainerIsolation.LABEL_RUN, runId)).exec().stream()
                .map(c -> c.getId()).toList();
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] bytes, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        e.setMode(mode);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}
