package dev.drover.server.blobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Large bytes (attachments, transcripts, artifacts) live outside the database, under
 * {@code <data-dir>/blobs}. A blob is written to a temporary file and moved into place, so a reader never sees
 * half a blob; a blob whose database row never committed is garbage, never a dangling reference.
 */
public final class BlobStore {
    private final Path root;

    public BlobStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob directory " + root, e);
        }
    }

    public String put(byte[] bytes) {
        String key = UUID.randomUUID().toString();
        Path target = path(key);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(root, "incoming-", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob", e);
        }
    }

    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    public byte[] read(String key) {
        try {
            return Files.readAllBytes(path(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read blob " + key, e);
        }
    }

    private Path path(String key) {
        if (!key.matches("[0-9a-f-]{36}")) {
            throw new IllegalArgumentException("not a blob key: " + key);
        }
        return root.resolve(key.substring(0, 2)).resolve(key);
    }
}
