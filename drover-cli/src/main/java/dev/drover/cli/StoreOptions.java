package dev.drover.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the database is: shared by {@code serve} and the operator commands that open it directly. */
final class StoreOptions {
    @Option(names = "--data-dir", defaultValue = "${env:DROVER_DATA_DIR:-./data}",
            description = "Data directory: SQLite file, blobs, admin-api-key (env DROVER_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--database-url", defaultValue = "${env:DROVER_DATABASE_URL}",
            description = "A jdbc:postgresql: URL switches to PostgreSQL; credentials in the URL or "
                    + "DROVER_DATABASE_USER/DROVER_DATABASE_PASSWORD (env DROVER_DATABASE_URL; default: SQLite in the data directory).")
    String databaseUrl;

    String user() {
        return System.getenv("DROVER_DATABASE_USER");
    }

    String password() {
        return System.getenv("DROVER_DATABASE_PASSWORD");
    }
}
