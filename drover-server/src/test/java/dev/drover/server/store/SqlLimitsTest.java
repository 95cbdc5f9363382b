package dev.drover.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No statement of the server binds its LIMIT (or OFFSET): SQLite prepares such a statement again at every execution,
 * behind the statement cache's back (StatementCache says why; StatementCacheTest shows it). The number is written
 * into the SQL instead, with Jdbi's {@code <name>} and {@code define}, or concatenated.
 */
class SqlLimitsTest {
    private static final Pattern BOUND_LIMIT = Pattern.compile("\\b(LIMIT|OFFSET)\\s+[:?$]");

    @Test
    void noStatementOfTheServerBindsItsLimit() throws IOException {
        Path sources = Path.of("src/main");
        assertThat(sources.resolve("java/dev/drover/server/runs/RunListSql.java")).as("run from drover-server").exists();
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".sql")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = BOUND_LIMIT.matcher(lines.get(i));
                    if (m.find()) {
                        found.add(sources.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(found).as("LIMITs bound as parameters").isEmpty();
    }
}
