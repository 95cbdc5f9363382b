package dev.drover.server.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.sql.DataSource;

/**
 * Whether a database's schema is exactly the one this build ships, read from Flyway's history table in one query, so
 * that a restart on a current schema skips Flyway: its ~420 classes (which also stay out of the AOT cache every start
 * loads), its scan of the jar for migrations, their parsing, its lock (docs/benchmarks.md, "Start-up and memory").
 * "Exactly" is strict on purpose: every migration this build ships applied successfully with the same
 * script and the same checksum (Flyway's own: CRC32 over the script's lines), and nothing else in the history. Any
 * other state (a new database, a migration to apply, a failed one, a script edited after it was applied, a schema
 * newer than this build) goes through Flyway as before, which applies, validates or refuses as it always did. Being
 * wrong here can only cost time: a false "no" runs Flyway.
 */
final class SchemaCheck {
    private static final Pattern VERSIONED = Pattern.compile("V([0-9][0-9._]*)__.+\\.sql");

    private SchemaCheck() {}

    /** A shipped migration: its script's file name and Flyway's checksum of it, by version. */
    record Script(String name, int checksum) {}

    /** True only when the history holds exactly {@code location}'s migrations, all applied and unchanged. */
    static boolean upToDate(DataSource ds, String location) {
        Map<String, Script> shipped = shipped(location);
        if (shipped.isEmpty()) {
            return false;
        }
        Map<String, Script> applied = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery(
                        "SELECT version, script, checksum, type, success FROM flyway_schema_history")) {
            while (rows.next()) {
                String version = rows.getString(1);
                int checksum = rows.getInt(3);
                boolean noChecksum = rows.wasNull();
                if (version == null || noChecksum || !"SQL".equals(rows.getString(4)) || !rows.getBoolean(5)
                        || applied.put(version, new Script(rows.getString(2), checksum)) != null) {
                    return false; // a repeatable, baseline or failed migration, or a version twice: Flyway's call
                }
            }
        } catch (SQLException noHistoryYet) {
            return false; // a new database (no history table): Flyway creates the schema
        }
        return applied.equals(shipped);
    }

    /** The versioned migrations under {@code location} (a class path folder such as {@code db/migration/sqlite}). */
    static Map<String, Script> shipped(String location) {
        String folder = location.endsWith("/") ? location : location + "/";
        URL url = SchemaCheck.class.getClassLoader().getResource(folder);
        if (url == null) {
            return Map.of();
        }
        Map<String, Script> scripts = new HashMap<>();
        try {
            switch (url.getProtocol()) {
                case "jar" -> {
                    // the folder's entries, listed from the jar's central directory; no entry outside it is read.
                    // Opened and closed here: the JarURLConnection cache would keep the directory's copy for good
                    URL jarUrl = ((JarURLConnection) url.openConnection()).getJarFileURL();
                    try (JarFile jar = new JarFile(Path.of(jarUrl.toURI()).toFile())) {
                        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                            JarEntry entry = e.nextElement();
                            String name = entry.getName();
                            if (name.startsWith(folder) && name.indexOf('/', folder.length()) < 0) {
                                try (InputStream in = jar.getInputStream(entry)) {
                                    add(scripts, name.substring(folder.length()), in);
                                }
                            }
                        }
                    }
                }
                case "file" -> {
                    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                        for (Path file : files.toList()) {
                            try (InputStream in = Files.newInputStream(file)) {
                                add(scripts, file.getFileName().toString(), in);
                            }
                        }
                    }
                }
                default -> {
                    return Map.of(); // a class loader of another kind: Flyway knows how to read it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the migrations in " + url, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return scripts;
    }

    private static void add(Map<String, Script> scripts, String fileName, InputStream in) throws IOException {
        var matcher = VERSIONED.matcher(fileName);
        if (matcher.matches()) {
            // Flyway stores "1.2" for V1_2: underscores in a version are dots
            scripts.put(matcher.group(1).replace('_', '.'), new Script(fileName, checksum(in)));
        }
    }

    /**
     * Flyway's checksum of a script (its ChecksumCalculator): CRC32 over the UTF-8 bytes of each line without its
     * line break, a byte order mark dropped. Checked against the checksums Flyway stores by SchemaCheckTest.
     */
    static int checksum(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 4096);
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            crc.update((line.startsWith("\uFEFF") ? line.substring(1) : line).getBytes(StandardCharsets.UTF_8));
        }
        return (int) crc.getValue();
    }
}
